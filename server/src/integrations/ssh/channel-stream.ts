import { Duplex } from "node:stream";
import type { ClientChannel } from "ssh2";

/**
 * An SSH channel as a stream that behaves like a socket. ssh2's Channel.destroy() only asks the
 * server to close the channel: it drops the error, leaves `destroyed` false and emits nothing
 * until the server answers (and no 'close' at all while nobody reads). An HTTP client that
 * destroys a socket (a timeout, an answer it stopped reading) would then send its next request
 * on the closing channel and see it "closed" under that request, or wait for its close for ever.
 * Here destroy(error) ends the stream at once, with that error and one 'close'; the server is
 * still told to close the channel. A channel the server ends ends the stream like a socket's peer.
 */
export class ChannelStream extends Duplex {
  constructor(private readonly channel: ClientChannel) {
    super({ allowHalfOpen: false });
    channel.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) channel.pause();
    });
    channel.on("end", () => this.push(null));
    // ssh2 emits 'close' after 'end' (or without it when the connection is gone): nothing more comes.
    channel.on("close", () => this.push(null));
    channel.on("error", (error: Error) => this.destroy(error));
  }

  override _read(): void {
    this.channel.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.channel.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // ssh2's own destroy(): end our side and ask the server to close the channel.
    this.channel.destroy();
    callback(error);
  }
}
