// Password hashing runs a few at a time per process, with a bounded queue behind it.
import { describe, expect, it } from "vitest";
import { PasswordHashing } from "../src/domain/auth/password-hashing.js";
import { RateLimitedError } from "../src/domain/errors.js";

/** Work that runs until the test finishes it, noting that it started. */
function gatedWork(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<string>((resolve) => (finish = () => resolve(name)));
  return { work: () => (started.push(name), done), finish: () => finish() };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("password hashing slots", () => {
  it("runs at most `concurrency` at once, queues up to `queue` more in order, and refuses past that", async () => {
    const hashing = new PasswordHashing({ concurrency: 2, queue: 2 });
    const started: string[] = [];
    const jobs = ["one", "two", "three", "four"].map((name) => gatedWork(started, name));
    const results = jobs.map((job) => hashing.run(job.work));
    await settle();
    expect(started).toEqual(["one", "two"]);

    const refused = await hashing.run(async () => "five").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(1);

    jobs[1]!.finish();
    await settle();
    expect(started).toEqual(["one", "two", "three"]); // the freed slot went to the first in line
    jobs[0]!.finish();
    jobs[2]!.finish();
    await settle();
    expect(started).toEqual(["one", "two", "three", "four"]);
    jobs[3]!.finish();
    expect(await Promise.all(results)).toEqual(["one", "two", "three", "four"]);

    // Every slot is free again: two start at once, even after a failing one.
    await expect(hashing.run(async () => Promise.reject(new Error("scrypt failed")))).rejects.toThrow("scrypt failed");
    const again = ["six", "seven"].map((name) => gatedWork(started, name));
    const more = again.map((job) => hashing.run(job.work));
    await settle();
    expect(started.slice(-2)).toEqual(["six", "seven"]);
    again.forEach((job) => job.finish());
    await Promise.all(more);
  });
});
