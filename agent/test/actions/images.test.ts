// Image actions with the engine's recording twin: pulling only when needed, tagging without a
// build, the agent's record of the images it manages, and cleanup confined to Slipway's images.
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import type { AgentDeps } from "../../src/actions/deps.js";
import { buildImage, exportImage, listImages, loadImages, pullImage, removeImages } from "../../src/actions/images.js";
import { slipwayLabels } from "../../src/commands/docker.js";
import { managedImagesPath, parseManagedImages } from "../../src/commands/state.js";
import { RecordingEngine } from "../../src/engine/index.js";
import { AgentFailure } from "../../src/errors.js";
import { RecordingExecutor } from "../../src/exec/index.js";
import { Standbys } from "../../src/actions/standbys.js";
import { InFlightReleases } from "../../src/actions/in-flight-releases.js";
import { Locks } from "../../src/locks.js";
import type { AgentStreamLine } from "../../src/protocol/index.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";
const DEP2 = "1f8fad5b-d9cb-469f-a165-70867728950e";
const TAG = "slipway/app:deploy_0f8fad5b";
const TAG2 = "slipway/app:deploy_1f8fad5b";
const SOURCE = "registry.test/app:1";

function agent(engine = new RecordingEngine({ registry: { [SOURCE]: {} } })) {
  const exec = new RecordingExecutor();
  const deps: AgentDeps = { engine, docker: {} as Docker, exec, nginxDir: "/etc/nginx", stateDir: "/opt/slipway/state", locks: new Locks(), standbys: new Standbys(), releases: new InFlightReleases(), startedAt: 0 };
  const records = async () => parseManagedImages(await exec.readFile(managedImagesPath("/opt/slipway/state")));
  return { engine, exec, deps, records };
}

const pull = (deps: AgentDeps, extra: Partial<Parameters<typeof pullImage>[1]> = {}, lines: AgentStreamLine[] = []) =>
  pullImage(deps, { image: SOURCE, tag: TAG, service: "app", deployment: DEP, policy: "missing", ...extra }, (l) => lines.push(l));

describe("pullImage", () => {
  it("pulls a reference that is not here, tags it for the deployment without a build, and records it", async () => {
    const { engine, deps, records } = agent();
    const lines: AgentStreamLine[] = [];
    const summary = await pull(deps, {}, lines);
    expect(engine.changes()).toEqual([`pull ${SOURCE}`, `tagImage ${SOURCE} ${TAG}`]);
    expect(lines).toEqual([
      { type: "log", step: "pull", line: `${SOURCE}: Pulling from registry` },
      { type: "log", step: "pull", line: `Status: Downloaded newer image for ${SOURCE}` },
    ]);
    expect(summary).toMatchObject({ tags: [SOURCE, TAG], service: "app", deployment: DEP, inUse: false });
    expect(await records()).toEqual({ [TAG]: { service: "app", deployment: DEP, pulledFrom: SOURCE } });
  });

  it("does not pull a reference already here, unless asked to always pull", async () => {
    const { engine, deps, records } = agent();
    engine.addImage(SOURCE);
    const lines: AgentStreamLine[] = [];
    await pull(deps, {}, lines);
    expect(engine.changes()).toEqual([`tagImage ${SOURCE} ${TAG}`]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ type: "log", step: "pull", line: expect.stringMatching(new RegExp(`^${SOURCE} is on this server already \\([0-9a-f]{12}\\): not pulling$`)) });
    // It was here before Slipway: cleanup must never remove it.
    expect(await records()).toEqual({ [TAG]: { service: "app", deployment: DEP, pulledFrom: null } });

    engine.calls.length = 0;
    await pull(deps, { tag: TAG2, deployment: DEP2, policy: "always" });
    expect(engine.changes()).toEqual([`pull ${SOURCE}`, `tagImage ${SOURCE} ${TAG2}`]);
  });

  it("fails with pull_failed and Docker's message", async () => {
    const { deps, records } = agent(new RecordingEngine());
    const err = await pull(deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentFailure);
    expect(err).toMatchObject({ code: "pull_failed", message: `docker pull ${SOURCE}: manifest for ${SOURCE} not found: manifest unknown` });
    expect(await records()).toEqual({});
  });
});

describe("Slipway's images: labelled or recorded, nothing else", () => {
  it("lists built (labelled) and pulled (recorded) images of a service, never someone else's", async () => {
    const { engine, deps } = agent();
    await buildImage(deps, { tag: "slipway/app:deploy_2f8fad5b", service: "app", deployment: DEP2 }, Readable.from([]), () => {});
    await pull(deps);
    engine.addImage("postgres:16");
    engine.addImage("slipway/other:deploy_3f8fad5b", slipwayLabels("other", DEP));
    const listed = (await listImages(deps, "app")).images.map((i) => [i.tags, i.service, i.deployment]);
    expect(listed.sort()).toEqual([
      [["slipway/app:deploy_2f8fad5b"], "app", DEP2],
      [[SOURCE, TAG], "app", DEP],
    ].sort());
    expect((await listImages(deps)).images).toHaveLength(3);
  });

  it("removes a pulled image's tag and the reference it pulled, and keeps an image that was here before", async () => {
    const { engine, deps, records } = agent();
    const before = engine.addImage("registry.test/base:1");
    await pullImage(deps, { image: "registry.test/base:1", tag: TAG2, service: "app", deployment: DEP2, policy: "missing" }, () => {});
    const pulled = await pull(deps);
    engine.calls.length = 0;
    const r = await removeImages(deps, [pulled.id, before.id]);
    expect(r).toEqual({ removed: [pulled.id, before.id], reclaimedBytes: 1000, refused: [] });
    expect(engine.changes()).toEqual([`removeImage ${TAG}`, `removeImage ${SOURCE}`, `removeImage ${TAG2}`]);
    // The image that was here before keeps its own tag; Slipway's records are gone.
    expect((await engine.inspectImage("registry.test/base:1"))?.tags).toEqual(["registry.test/base:1"]);
    expect(await records()).toEqual({});
  });

  it("refuses images in use, unknown ones and ones that are not Slipway's", async () => {
    const { engine, deps } = agent();
    const pulled = await pull(deps);
    engine.addContainer({ name: "slipway-app-0f8fad5b", image: TAG, labels: slipwayLabels("app", DEP), hostPort: 40000 });
    const foreign = engine.addImage("postgres:16");
    const r = await removeImages(deps, [pulled.id, foreign.id, "sha256:0000"]);
    expect(r).toEqual({
      removed: [],
      reclaimedBytes: 0,
      refused: [
        { id: pulled.id, reason: "in use by container slipway-app-0f8fad5b" },
        { id: foreign.id, reason: "not labelled by Slipway" },
        { id: "sha256:0000", reason: "no such image" },
      ],
    });
    await expect(exportImage(deps, "postgres:16")).rejects.toMatchObject({ code: "refused" });
  });

  it("copies a pulled image to another server: exported there, loaded and recorded here", async () => {
    const from = agent();
    await pull(from.deps);
    const to = agent(new RecordingEngine());
    const tar = await exportImage(from.deps, TAG);
    const loaded = await loadImages(to.deps, { service: "app", deployment: DEP }, tar as Readable);
    expect(loaded).toEqual({ loaded: [TAG] });
    expect(await to.records()).toEqual({ [TAG]: { service: "app", deployment: DEP, pulledFrom: null } });
    expect((await listImages(to.deps, "app")).images.map((i) => i.tags)).toEqual([[TAG]]);
    await expect(loadImages(to.deps, { service: "app", deployment: DEP }, Readable.from([Buffer.from("not a tar")]))).rejects.toMatchObject({ code: "load_failed" });
  });
});
