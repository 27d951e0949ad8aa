import { Readable } from "node:stream";
import type { Database } from "../../db.js";
import type { BuildContextStore } from "../../domain/ports.js";

// Chunks small enough for any database's row and transaction limits, large enough to be few.
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Build contexts kept in the database, in chunks: whichever replica runs a deploy's build reads
 * the context the replica that took the upload stored. Deleted once the build has read it (and
 * with the deployment, by cascade).
 */
export class DatabaseBuildContextStore implements BuildContextStore {
  constructor(private readonly db: Database) {}

  async put(deploymentId: string, context: Readable): Promise<{ bytes: number }> {
    let index = 0;
    let bytes = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      await this.db.buildContextChunk.create({ data: { deploymentId, index: index++, data: new Uint8Array(data) } });
      pending = [];
      pendingBytes = 0;
    };
    try {
      for await (const chunk of context) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        pending.push(buffer);
        pendingBytes += buffer.length;
        bytes += buffer.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      await flush();
    } catch (error) {
      await this.delete(deploymentId);
      throw error;
    }
    return { bytes };
  }

  async open(deploymentId: string): Promise<Readable> {
    const count = await this.db.buildContextChunk.count({ where: { deploymentId } });
    if (count === 0) throw new Error("The uploaded build context is gone (it is deleted after its build); deploy the archive again");
    const db = this.db;
    // One chunk in memory at a time, read as the consumer asks for it.
    return Readable.from(
      (async function* () {
        for (let index = 0; index < count; index++) {
          const chunk = await db.buildContextChunk.findUniqueOrThrow({ where: { deploymentId_index: { deploymentId, index } }, select: { data: true } });
          yield Buffer.from(chunk.data);
        }
      })(),
    );
  }

  async delete(deploymentId: string): Promise<void> {
    await this.db.buildContextChunk.deleteMany({ where: { deploymentId } });
  }
}
