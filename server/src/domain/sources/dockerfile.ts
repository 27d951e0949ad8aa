import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { BaseImages } from "./defaults.js";
import { quoteName, sourceError } from "./tree.js";

// When the code brings no Dockerfile, one is generated from what its top level holds. Checked
// in this order, the first match wins:
// - node: package.json. Without a `build` script, `dependencies` are installed (only when there
//   are any): `npm ci --omit=dev` with package-lock.json or npm-shrinkwrap.json, else
//   `npm install --omit=dev`. With a `build` script, dev dependencies are installed too (build
//   tools usually are), `npm run build` runs on the code, and `npm prune --omit=dev` drops them
//   again. It starts with `node <file>` when the start script is exactly that (no npm needed at
//   run time), else `npm start` when there is a start script, else `node <main>`, else server.js
//   or index.js.
// - python: requirements.txt or pyproject.toml. `pip install -r requirements.txt` when it lists
//   anything, else `pip install .` for a pyproject.toml. It starts with uvicorn when uvicorn is
//   listed, else gunicorn when that is, both serving `app` from app.py or main.py; otherwise with
//   `python app.py` (or main.py).
// - go: go.mod. Built in a golang stage (`go mod download` when go.sum exists), static binary
//   of the module root's main package, run as an unprivileged user in the runtime image.
// - static: index.html, served by busybox httpd from /site.
// Every kind gets ENV PORT and EXPOSE with the service's port: the app must listen on $PORT.
// When there is nothing to start, the error names the fix (a start script, app.py, a Dockerfile).
// Pure: the caller reads the files.

export type ProjectKind = "node" | "python" | "go" | "static";

/** Files the detection reads, by name, as found at the top of the code. */
export const PROJECT_FILES = ["package.json", "requirements.txt", "pyproject.toml", "go.mod"] as const;

export interface ProjectFiles {
  /** Names of the entries at the top of the code. */
  names: readonly string[];
  /** Contents of those PROJECT_FILES that exist as regular files. */
  contents: Partial<Record<(typeof PROJECT_FILES)[number], string>>;
}

export interface GeneratedDockerfile {
  kind: ProjectKind;
  dockerfile: string;
  /** Paths kept out of the build context when the code has no .dockerignore (e.g. a local node_modules). */
  ignore: string[];
}

export interface DockerfileOptions {
  baseImages: BaseImages;
  port: number;
}

export function hasDockerfile(files: ProjectFiles): boolean {
  return files.names.includes("Dockerfile");
}

export function generateDockerfile(files: ProjectFiles, options: DockerfileOptions): GeneratedDockerfile {
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw sourceError("port", "The port must be a whole number from 1 to 65535");
  }
  const has = (name: string) => files.names.includes(name);
  if (files.contents["package.json"] !== undefined) return nodeDockerfile(files, options, has);
  if (files.contents["requirements.txt"] !== undefined || files.contents["pyproject.toml"] !== undefined) {
    return pythonDockerfile(files, options, has);
  }
  if (files.contents["go.mod"] !== undefined) return goDockerfile(options, has);
  if (has("index.html")) return staticDockerfile(options);
  throw sourceError(
    "source",
    "The code has no Dockerfile, and no package.json, requirements.txt, pyproject.toml, go.mod or index.html was found to generate one from",
  );
}

/** A CMD/ENTRYPOINT in exec form: a JSON array, so no shell ever parses it. */
export function execForm(argv: readonly string[]): string {
  return `[${argv.map((arg) => JSON.stringify(arg)).join(", ")}]`;
}

function lines(...parts: (string | false | undefined)[]): string {
  return `${parts.filter((part): part is string => typeof part === "string").join("\n")}\n`;
}

function nodeDockerfile(files: ProjectFiles, options: DockerfileOptions, has: (name: string) => boolean): GeneratedDockerfile {
  let pkg: { dependencies?: unknown; devDependencies?: unknown; scripts?: unknown; main?: unknown };
  try {
    const parsed: unknown = JSON.parse(files.contents["package.json"]!);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    pkg = parsed;
  } catch {
    throw sourceError("source", "package.json is not a valid JSON object");
  }
  const dependencies = isRecord(pkg.dependencies) ? Object.keys(pkg.dependencies) : [];
  const devDependencies = isRecord(pkg.devDependencies) ? Object.keys(pkg.devDependencies) : [];
  const scripts = isRecord(pkg.scripts) ? pkg.scripts : {};
  const build = typeof scripts.build === "string" && scripts.build.trim() !== "";
  const lockfile = ["package-lock.json", "npm-shrinkwrap.json"].find(has);

  let command: string[];
  const start = typeof scripts.start === "string" ? scripts.start.trim() : undefined;
  const plainNode = start ? /^node\s+([A-Za-z0-9_@][A-Za-z0-9_@./-]*)$/.exec(start) : null;
  if (plainNode) command = ["node", plainNode[1]!];
  else if (start) command = ["npm", "start"];
  else if (typeof pkg.main === "string" && pkg.main.trim() !== "") command = ["node", pkg.main.trim()];
  else if (has("server.js")) command = ["node", "server.js"];
  else if (has("index.js")) command = ["node", "index.js"];
  else {
    throw sourceError(
      "source",
      'package.json has no start script or main, and there is no server.js or index.js to start: add a "start" script to package.json (or a Dockerfile)',
    );
  }

  // Building needs the dev dependencies; they are pruned once the build is done.
  const install = dependencies.length > 0 || (build && devDependencies.length > 0);
  const installFlags = build ? "--include=dev" : "--omit=dev";
  return {
    kind: "node",
    ignore: ["node_modules"],
    dockerfile: lines(
      "# Generated by Slipway: a Node.js app (package.json).",
      `FROM ${options.baseImages.node}`,
      "WORKDIR /app",
      "ENV NODE_ENV=production",
      install && `COPY ${["package.json", lockfile].filter(Boolean).join(" ")} ./`,
      install && (lockfile ? `RUN npm ci ${installFlags}` : `RUN npm install ${installFlags}`),
      "COPY . .",
      build && "RUN npm run build",
      build && install && "RUN npm prune --omit=dev",
      `ENV PORT=${options.port}`,
      `EXPOSE ${options.port}`,
      `CMD ${execForm(command)}`,
    ),
  };
}

/** Package names a requirements.txt lists (lowercase; options, comments and blank lines skipped). */
export function requirementNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("-"))
    .map((line) => /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(line)?.[0].toLowerCase().replace(/_/g, "-"))
    .filter((name): name is string => name !== undefined);
}

function pythonDockerfile(files: ProjectFiles, options: DockerfileOptions, has: (name: string) => boolean): GeneratedDockerfile {
  const requirements = files.contents["requirements.txt"];
  const pyproject = files.contents["pyproject.toml"];
  const names = new Set(requirementNames(requirements ?? ""));
  // pyproject.toml is not parsed: any quoted string starting with the package name counts.
  for (const match of (pyproject ?? "").matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)/g)) names.add(match[1]!.toLowerCase());

  const module = has("app.py") ? "app" : has("main.py") ? "main" : undefined;
  let command: string[];
  if (names.has("uvicorn") || names.has("gunicorn")) {
    if (!module) throw sourceError("source", "The Python app lists uvicorn or gunicorn but has no app.py or main.py defining `app`: add one (or a Dockerfile)");
    command = names.has("uvicorn")
      ? ["uvicorn", `${module}:app`, "--host", "0.0.0.0", "--port", String(options.port)]
      : ["gunicorn", "--bind", `0.0.0.0:${options.port}`, `${module}:app`];
  } else {
    if (!module) throw sourceError("source", "The Python app has no app.py or main.py to start: add one (or a Dockerfile)");
    command = ["python", `${module}.py`];
  }

  const fromRequirements = requirements !== undefined && requirementNames(requirements).length > 0;
  return {
    kind: "python",
    ignore: ["__pycache__", ".venv"],
    dockerfile: lines(
      `# Generated by Slipway: a Python app (${requirements !== undefined ? "requirements.txt" : "pyproject.toml"}).`,
      `FROM ${options.baseImages.python}`,
      "WORKDIR /app",
      "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1",
      fromRequirements && "COPY requirements.txt ./",
      fromRequirements && "RUN pip install --no-cache-dir -r requirements.txt",
      "COPY . .",
      !fromRequirements && pyproject !== undefined && "RUN pip install --no-cache-dir .",
      `ENV PORT=${options.port}`,
      `EXPOSE ${options.port}`,
      `CMD ${execForm(command)}`,
    ),
  };
}

function goDockerfile(options: DockerfileOptions, has: (name: string) => boolean): GeneratedDockerfile {
  const sum = has("go.sum");
  return {
    kind: "go",
    ignore: [],
    dockerfile: lines(
      "# Generated by Slipway: a Go app (go.mod).",
      `FROM ${options.baseImages.go} AS build`,
      "WORKDIR /src",
      sum ? "COPY go.mod go.sum ./" : "COPY go.mod ./",
      sum && "RUN go mod download",
      "COPY . .",
      `RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .`,
      `FROM ${options.baseImages.goRuntime}`,
      "COPY --from=build /out/app /app",
      `ENV PORT=${options.port}`,
      `EXPOSE ${options.port}`,
      "USER 65532:65532",
      `ENTRYPOINT ${execForm(["/app"])}`,
    ),
  };
}

function staticDockerfile(options: DockerfileOptions): GeneratedDockerfile {
  return {
    kind: "static",
    ignore: [],
    dockerfile: lines(
      "# Generated by Slipway: a static site (index.html).",
      `FROM ${options.baseImages.static}`,
      "COPY . /site",
      `ENV PORT=${options.port}`,
      `EXPOSE ${options.port}`,
      `CMD ${execForm(["httpd", "-f", "-p", String(options.port), "-h", "/site"])}`,
    ),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const MAX_PROJECT_FILE_BYTES = 1024 * 1024;

/** Reads what generateDockerfile needs from the top of a (safety-checked) tree. */
export async function readProjectFiles(root: string): Promise<ProjectFiles> {
  const names = (await readdir(root)).sort();
  const contents: ProjectFiles["contents"] = {};
  for (const name of PROJECT_FILES) {
    if (!names.includes(name)) continue;
    const file = path.join(root, name);
    const info = await stat(file);
    if (!info.isFile()) continue;
    if (info.size > MAX_PROJECT_FILE_BYTES) throw sourceError("source", `${quoteName(name)} is larger than 1 MiB`);
    contents[name] = await readFile(file, "utf8");
  }
  return { names, contents };
}
