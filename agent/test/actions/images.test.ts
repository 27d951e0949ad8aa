// Image actions with a fake Docker Engine: the pull-and-label path (no registry in the lab).
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { extract } from "tar-stream";
import { describe, expect, it } from "vitest";
import type { AgentDeps } from "../../src/actions/deps.js";
import { pullImage } from "../../src/actions/images.js";
import { AgentFailure } from "../../src/errors.js";
import { RecordingExecutor } from "../../src/exec/index.js";
import { Locks } from "../../src/locks.js";
import type { AgentStreamLine } from "../../src/protocol/index.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";

async function tarFiles(stream: Readable): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on("entry", (h, s, next) => {
      let text = "";
      s.on("data", (d: unknown) => (text += String(d)));
      s.on("end", () => {
        out[h.name] = text;
        next();
      });
    });
    x.on("finish", resolve);
    x.on("error", reject);
  });
  stream.pipe(x);
  await done;
  return out;
}

function deps(docker: unknown): AgentDeps {
  return { docker: docker as Docker, exec: new RecordingExecutor(), nginxDir: "/etc/nginx", locks: new Locks(), startedAt: 0 };
}

const jsonLines = (...m: unknown[]) => Readable.from(m.map((x) => `${JSON.stringify(x)}\r\n`));

describe("pullImage", () => {
  it("pulls, then labels and tags the image through a one-line build", async () => {
    let context: Record<string, string> = {};
    let buildOpts: unknown;
    const docker = {
      pull: async (image: string) => {
        expect(image).toBe("registry.test/app:1");
        return jsonLines({ status: "Pulling from app", id: "1" }, { status: "Downloading", progress: "[=>  ]", id: "abc" }, { status: "Download complete", id: "abc" });
      },
      buildImage: async (ctx: Readable, opts: unknown) => {
        context = await tarFiles(ctx);
        buildOpts = opts;
        return jsonLines({ stream: "Step 1/4 : FROM registry.test/app:1\n" }, { stream: "Successfully tagged slipway/app:deploy_0f8fad5b\n" });
      },
      getImage: () => ({
        inspect: async () => ({ Id: "sha256:new", RepoTags: ["slipway/app:deploy_0f8fad5b"], Size: 10, Created: "2026-01-01T00:00:00Z", Config: { Labels: { "dev.slipway.service": "app", "dev.slipway.deployment": DEP } } }),
      }),
      listContainers: async () => [],
    };
    const lines: AgentStreamLine[] = [];
    const r = await pullImage(deps(docker), { image: "registry.test/app:1", tag: "slipway/app:deploy_0f8fad5b", service: "app", deployment: DEP }, (l) => lines.push(l));
    expect(context).toEqual({ Dockerfile: "FROM registry.test/app:1\n" });
    expect(buildOpts).toMatchObject({ t: "slipway/app:deploy_0f8fad5b", labels: { "dev.slipway.managed": "true", "dev.slipway.service": "app", "dev.slipway.deployment": DEP } });
    expect(lines).toEqual([
      { type: "log", step: "pull", line: "1: Pulling from app" },
      { type: "log", step: "pull", line: "abc: Download complete" },
      { type: "log", step: "build", line: "Step 1/4 : FROM registry.test/app:1" },
      { type: "log", step: "build", line: "Successfully tagged slipway/app:deploy_0f8fad5b" },
    ]);
    expect(r).toEqual({ id: "sha256:new", tags: ["slipway/app:deploy_0f8fad5b"], sizeBytes: 10, createdAt: "2026-01-01T00:00:00.000Z", service: "app", deployment: DEP, inUse: false });
  });

  it("fails with pull_failed and Docker's message", async () => {
    const docker = { pull: async () => jsonLines({ status: "Pulling" }, { error: "manifest unknown", errorDetail: { message: "manifest unknown" } }) };
    const err = await pullImage(deps(docker), { image: "registry.test/app:1", tag: "t:1", service: "app", deployment: DEP }, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentFailure);
    expect(err).toMatchObject({ code: "pull_failed", message: "docker pull registry.test/app:1: manifest unknown" });
  });
});
