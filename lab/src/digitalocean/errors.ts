// DigitalOcean's error body is {id, message}; `id` is a stable machine-readable slug.
export class DigitalOceanError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    /** Headers the answer carries over the usual ones (a 429 reports no budget left). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): { id: string; message: string } {
    return { id: this.id, message: this.message };
  }
}

export const notFound = () =>
  new DigitalOceanError(404, "not_found", "The resource you were accessing could not be found.");

export const unprocessable = (message: string) => new DigitalOceanError(422, "unprocessable_entity", message);
