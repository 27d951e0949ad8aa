import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { Config } from "../../config.js";
import { imageReference, parseInput } from "../validation.js";
import { extractArchive, type ArchiveUpload } from "./archive.js";
import { packBuildContext } from "./build-context.js";
import { generateDockerfile, hasDockerfile, readProjectFiles, type ProjectKind } from "./dockerfile.js";
import { fetchGitSource } from "./git.js";
import { makeTempDir, removeDir } from "./temp.js";

// The one entry point from "what the user gave" to "the tar the agent's docker build receives".
// The unpacked code lives only while the context is written; what is returned is the context
// file, which the caller removes with cleanup() once the build has read it.

export type DeploySource =
  | { type: "ARCHIVE"; file: ArchiveUpload }
  | { type: "GIT"; repository: string; ref: string }
  | { type: "IMAGE"; image: string };

export interface SourcesDeps {
  config: Pick<Config, "sourcesTempDir" | "archiveLimits" | "allowInsecureGitTransports" | "gitTimeoutMs" | "baseImages">;
  /** Checks a git repository's host before it is fetched (see FetchGitOptions.resolveHost). */
  resolveGitHost?: (host: string) => Promise<string[]>;
}

export interface PrepareOptions {
  /** The port the service listens on; generated Dockerfiles set PORT and EXPOSE to it. Default 3000. */
  port?: number;
}

export interface PreparedBuildContext {
  /** The build context: an uncompressed, deterministic tar. */
  contextPath: string;
  contextSize: number;
  /** sha256 of the context tar, `sha256:<hex>`: equal for equal code and settings. */
  contextDigest: string;
  openContext(): Readable;
  dockerfile: "provided" | `generated:${ProjectKind}`;
  /** The commit checked out, for git sources. */
  commit?: string;
  /** What the code was: `sha256:<hex>` of the uploaded archive, or `git:<commit>`. */
  digest: string;
  /** Removes the context file and its folder. */
  cleanup(): Promise<void>;
}

const ImageSource = z.object({ type: z.literal("IMAGE"), image: imageReference });

export async function prepareBuildContext(
  deps: SourcesDeps,
  source: DeploySource,
  options: PrepareOptions = {},
): Promise<PreparedBuildContext | null> {
  const { config } = deps;
  if (source.type === "IMAGE") {
    parseInput(ImageSource, source);
    return null;
  }
  const code =
    source.type === "ARCHIVE"
      ? await extractArchive(source.file, { tempDir: config.sourcesTempDir, limits: config.archiveLimits })
      : await fetchGitSource(
          { repository: source.repository, ref: source.ref },
          { tempDir: config.sourcesTempDir, allowInsecureTransports: config.allowInsecureGitTransports, timeoutMs: config.gitTimeoutMs, resolveHost: deps.resolveGitHost },
        );
  const commit = "commit" in code ? code.commit : undefined;
  const digest = "digest" in code ? code.digest : `git:${commit}`;

  let out: string | undefined;
  try {
    const files = await readProjectFiles(code.root);
    const generated = hasDockerfile(files) ? undefined : generateDockerfile(files, { baseImages: config.baseImages, port: options.port ?? 3000 });
    const context = await packBuildContext(code.root, {
      extraFiles: generated ? [{ path: "Dockerfile", contents: generated.dockerfile }] : [],
      defaultIgnore: generated?.ignore,
    });
    out = await makeTempDir(config.sourcesTempDir, "context");
    const contextPath = path.join(out, "context.tar");
    const hash = createHash("sha256");
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    await pipeline(context.stream(), tee, createWriteStream(contextPath, { flags: "wx", mode: 0o600 }));
    const dir = out;
    return {
      contextPath,
      contextSize: context.size,
      contextDigest: `sha256:${hash.digest("hex")}`,
      openContext: () => createReadStream(contextPath),
      dockerfile: generated ? `generated:${generated.kind}` : "provided",
      ...(commit ? { commit } : {}),
      digest,
      cleanup: () => removeDir(dir),
    };
  } catch (error) {
    if (out) await removeDir(out);
    throw error;
  } finally {
    await code.cleanup();
  }
}
