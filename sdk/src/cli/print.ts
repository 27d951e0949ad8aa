/** A listing: its text, or with --json the data it was made from. */
export function printListing(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text}\n`);
}

/** The outcome of a change: a sentence for people, or with --json the record it returned. */
export function printResult(json: boolean | undefined, value: unknown, sentence: string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : sentence}\n`);
}
