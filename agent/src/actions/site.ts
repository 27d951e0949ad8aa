// The nginx side of a release, in two halves so that only the second waits for health:
//
// stageSite (while the new container starts): the TLS files are put in place and the new site is
//   checked by `nginx -t`. The check needs the site where nginx.conf includes it, so it is
//   written there, checked and the previous file put back at once, all under the nginx lock (no
//   reload can happen meanwhile). TLS files are named after their contents: writing a new one
//   never touches what the running configuration uses.
// applySite (once healthy): write the checked site, reload, wait until the new workers took over.
//   On any failure the previous site file is put back byte for byte, so the last good
//   configuration stays what nginx runs.
import type { FileWrite } from "../exec/types.js";
import {
  isServiceTlsFile,
  nginxReloadCommand,
  nginxTestCommand,
  siteFile,
  tlsDir,
  tlsFileWrites,
  tlsFiles,
  type SiteSpec,
} from "../commands/nginx.js";
import type { Executor } from "../exec/types.js";
import type { Locks } from "../locks.js";
import { nginxMasterPid, nginxWorkers, waitForReload } from "./nginx-workers.js";

export interface SiteInput extends Omit<SiteSpec, "tls"> {
  tls: { certificatePem: string; privateKeyPem: string } | null;
}

type SiteDeps = { exec: Executor; nginxDir: string; locks: Locks };

/** A site `nginx -t` accepted, ready to be switched to. */
export interface StagedSite {
  service: string;
  file: FileWrite;
  /** TLS files this release wrote (they go again if it does not go live). */
  newTlsFiles: string[];
  /** TLS file names the new site uses. */
  tlsInUse: string[];
}

export type StageOutcome = { ok: true; staged: StagedSite } | { ok: false; error: string };
/** `oldWorkers`: nginx's workers from before the reload; once they are gone nothing reaches the old container. */
export type ApplyOutcome = { ok: true; path: string; oldWorkers: ReadonlySet<number> } | { ok: false; error: string };

export async function stageSite(deps: SiteDeps, input: SiteInput): Promise<StageOutcome> {
  const { exec, nginxDir } = deps;
  // nginx -t checks every site at once: two releases must not interleave.
  return deps.locks.run("nginx", async () => {
    const tls = input.tls ? tlsFiles(nginxDir, input.service, input.tls.certificatePem, input.tls.privateKeyPem) : null;
    const file = siteFile(nginxDir, { ...input, tls });
    const tlsBefore = new Set(await exec.listDir(tlsDir(nginxDir)));
    const newTlsFiles: string[] = [];
    if (input.tls && tls) {
      for (const w of tlsFileWrites(tls, input.tls.certificatePem, input.tls.privateKeyPem)) {
        if (tlsBefore.has(baseName(w.path))) continue;
        newTlsFiles.push(w.path);
        await exec.writeFile(w);
      }
    }
    const staged: StagedSite = {
      service: input.service,
      file,
      newTlsFiles,
      tlsInUse: tls ? [baseName(tls.certificatePath), baseName(tls.privateKeyPath)] : [],
    };

    const previous = await exec.readFile(file.path);
    await exec.writeFile(file);
    const test = await exec.run(nginxTestCommand(nginxDir));
    await putBack(exec, file.path, previous);
    if (test.exitCode !== 0) {
      await discard(exec, staged);
      return { ok: false, error: `nginx -t rejected the new configuration: ${lastLines(test.stderr)}` };
    }
    return { ok: true, staged };
  });
}

/** Removes what staging wrote, for a release that does not go live. */
export async function discardStagedSite(deps: SiteDeps, staged: StagedSite): Promise<void> {
  await deps.locks.run("nginx", () => discard(deps.exec, staged));
}

export async function applySite(deps: SiteDeps, staged: StagedSite): Promise<ApplyOutcome> {
  const { exec, nginxDir } = deps;
  return deps.locks.run("nginx", async () => {
    const path = staged.file.path;
    const previous = await exec.readFile(path);
    const master = await nginxMasterPid(exec, nginxDir);
    const before = master === null ? new Set<number>() : new Set((await nginxWorkers(exec, master)).keys());
    await exec.writeFile(staged.file);

    const undo = async () => {
      await putBack(exec, path, previous);
      await discard(exec, staged);
    };
    // SIGHUP to the master is the reload itself; `nginx -s reload` would first parse the whole
    // configuration again just to find the master (the check was done while staging).
    const signalled = master !== null && (await exec.signal(master, "SIGHUP"));
    const reload = signalled ? { exitCode: 0, stderr: "" } : await exec.run(nginxReloadCommand(nginxDir));
    if (reload.exitCode !== 0) {
      await undo();
      return { ok: false, error: `nginx reload failed: ${lastLines(reload.stderr)}` };
    }
    // Without a master to watch (nginx not running) there is no traffic to move.
    if (master !== null && !(await waitForReload(exec, master, before))) {
      await undo();
      await exec.run(nginxReloadCommand(nginxDir));
      return { ok: false, error: "nginx did not apply the new configuration (see its error log)" };
    }
    // Certificates the new configuration no longer names.
    for (const name of await exec.listDir(tlsDir(nginxDir))) {
      if (isServiceTlsFile(staged.service, name) && !staged.tlsInUse.includes(name)) await exec.removeFile(`${tlsDir(nginxDir)}/${name}`);
    }
    return { ok: true, path, oldWorkers: before };
  });
}

async function putBack(exec: Executor, path: string, previous: string | null): Promise<void> {
  if (previous === null) await exec.removeFile(path);
  else await exec.writeFile({ path, contents: previous });
}

async function discard(exec: Executor, staged: StagedSite): Promise<void> {
  for (const p of staged.newTlsFiles) await exec.removeFile(p);
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function lastLines(text: string, n = 5): string {
  return text.trim().split("\n").slice(-n).join(" | ") || "(no output)";
}
