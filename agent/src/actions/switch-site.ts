// Points nginx at a new host port: write the service's site file (and TLS files), `nginx -t`,
// reload, wait until the new workers took over. On any failure the previous site file is put back byte for byte, so the last good
// configuration stays what nginx runs.
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

export interface SwitchSiteInput extends Omit<SiteSpec, "tls"> {
  tls: { certificatePem: string; privateKeyPem: string } | null;
}

export type SwitchSiteOutcome = { ok: true; path: string } | { ok: false; error: string };

export async function switchSite(
  deps: { exec: Executor; nginxDir: string; locks: Locks },
  input: SwitchSiteInput,
): Promise<SwitchSiteOutcome> {
  const { exec, nginxDir } = deps;
  // nginx -t checks every site at once: two switches must not interleave.
  return deps.locks.run("nginx", async () => {
    const tls = input.tls ? tlsFiles(nginxDir, input.service, input.tls.certificatePem, input.tls.privateKeyPem) : null;
    const file = siteFile(nginxDir, { ...input, tls });
    const previous = await exec.readFile(file.path);
    const tlsBefore = new Set(await exec.listDir(tlsDir(nginxDir)));
    const newTls: string[] = [];
    if (input.tls && tls) {
      for (const w of tlsFileWrites(tls, input.tls.certificatePem, input.tls.privateKeyPem)) {
        if (!tlsBefore.has(baseName(w.path))) newTls.push(w.path);
        await exec.writeFile(w);
      }
    }
    await exec.writeFile(file);

    const undo = async () => {
      if (previous === null) await exec.removeFile(file.path);
      else await exec.writeFile({ path: file.path, contents: previous });
      for (const p of newTls) await exec.removeFile(p);
    };

    const test = await exec.run(nginxTestCommand(nginxDir));
    if (test.exitCode !== 0) {
      await undo();
      return { ok: false, error: `nginx -t rejected the new configuration: ${lastLines(test.stderr)}` };
    }
    const master = await nginxMasterPid(exec, nginxDir);
    const before = master === null ? null : new Set((await nginxWorkers(exec, master)).keys());
    const reload = await exec.run(nginxReloadCommand(nginxDir));
    if (reload.exitCode !== 0) {
      await undo();
      return { ok: false, error: `nginx reload failed: ${lastLines(reload.stderr)}` };
    }
    // Without a master to watch (nginx not running) there is no traffic to move.
    if (master !== null && before !== null && !(await waitForReload(exec, master, before))) {
      await undo();
      await exec.run(nginxReloadCommand(nginxDir));
      return { ok: false, error: "nginx did not apply the new configuration (see its error log)" };
    }
    // Certificates the new configuration no longer names.
    const keep = new Set(tls ? [baseName(tls.certificatePath), baseName(tls.privateKeyPath)] : []);
    for (const name of tlsBefore) {
      if (isServiceTlsFile(input.service, name) && !keep.has(name)) await exec.removeFile(`${tlsDir(nginxDir)}/${name}`);
    }
    return { ok: true, path: file.path };
  });
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

function lastLines(text: string, n = 5): string {
  return text.trim().split("\n").slice(-n).join(" | ") || "(no output)";
}
