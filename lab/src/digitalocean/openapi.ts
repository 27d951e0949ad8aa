import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// Validation against the official DigitalOcean OpenAPI description. The simulator checks the
// requests it receives and the responses it sends; the tests check both sides again. Schemas are compiled
// straight from the document (its $refs all point inside it), so nothing is transcribed by hand.

// DigitalOcean's own description of the API, shared with the control plane's client.
const SPEC_PATH = createRequire(import.meta.url).resolve("@slipway/digitalocean-api/openapi.json");
const SPEC_ID = "digitalocean-v2.json";

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

interface ParameterObject {
  name: string;
  in: "query" | "path" | "header" | "cookie";
  required?: boolean;
  schema?: object;
}

interface OperationObject {
  operationId: string;
  parameters?: (ParameterObject | { $ref: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> } | { $ref: string };
  responses: Record<string, { $ref: string } | ResponseObject>;
}

interface ResponseObject {
  headers?: Record<string, { $ref: string } | { schema?: object }>;
  content?: Record<string, { schema?: object }>;
}

export interface OperationMatch {
  operationId: string;
  method: string;
  template: string;
  params: Record<string, string>;
}

export interface CallToCheck {
  method: string;
  path: string;
  query?: URLSearchParams;
  body?: unknown;
}

export interface ResponseToCheck extends CallToCheck {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  responseBody: unknown;
}

const escapePointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

export class DigitalOceanSpec {
  private readonly doc: { paths: Record<string, Record<string, OperationObject>> };
  // The description's patterns are plain ECMA-262 (e.g. "\\:"), invalid under the "u" flag.
  private readonly strict = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  /** Parameters arrive as strings; this instance coerces them to the declared types. */
  private readonly coercing = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, coerceTypes: true });
  private readonly operations: { method: string; template: string; pattern: RegExp; names: string[]; op: OperationObject }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(doc: unknown = JSON.parse(readFileSync(SPEC_PATH, "utf8"))) {
    this.doc = doc as DigitalOceanSpec["doc"];
    for (const ajv of [this.strict, this.coercing]) {
      addFormats(ajv);
      ajv.addSchema(doc as object, SPEC_ID);
    }
    for (const [template, item] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (typeof op !== "object" || !("responses" in op)) continue;
        const names: string[] = [];
        const source = template.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), "([^/]+)"));
        this.operations.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), names, op });
      }
    }
    // Literal segments win over templates: "/v2/droplets/actions" is not droplet "actions".
    this.operations.sort((a, b) => a.names.length - b.names.length);
  }

  findOperation(method: string, path: string): OperationMatch | undefined {
    for (const o of this.operations) {
      if (o.method !== method.toUpperCase()) continue;
      const m = o.pattern.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(o.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]));
      return { operationId: o.op.operationId, method: o.method, template: o.template, params };
    }
    return undefined;
  }

  /** Problems with a request's path/query parameters and JSON body; empty when it is valid. */
  validateRequest(call: CallToCheck): string[] {
    const match = this.findOperation(call.method, call.path);
    if (!match) return [`no operation ${call.method} ${call.path} in the spec`];
    const op = this.operation(match);
    const errors: string[] = [];
    (op.parameters ?? []).forEach((declared, index) => {
      const param = this.deref<ParameterObject>(declared);
      if (param.in !== "path" && param.in !== "query") return;
      const raw = param.in === "path" ? match.params[param.name] : (call.query?.get(param.name) ?? undefined);
      if (raw === undefined) {
        if (param.required) errors.push(`missing ${param.in} parameter ${param.name}`);
        return;
      }
      const pointer = "$ref" in declared ? this.refPointer(declared) : `${this.opPointer(match)}/parameters/${index}`;
      // Wrapped in an object so the coercing validator can turn "2" into 2 in place.
      const validate = this.validator(this.coercing, `${pointer}/schema`, true);
      if (!validate({ value: raw })) errors.push(...this.describe(validate, `${param.in} parameter ${param.name}`));
    });
    const declaredBody = op.requestBody;
    const requestBody = declaredBody && this.deref<Exclude<OperationObject["requestBody"], { $ref: string } | undefined>>(declaredBody);
    if (declaredBody && requestBody?.content?.["application/json"]?.schema) {
      if (call.body === undefined) {
        if (requestBody.required) errors.push("request body is required");
      } else {
        const bodyPointer = "$ref" in declaredBody ? this.refPointer(declaredBody) : `${this.opPointer(match)}/requestBody`;
        const validate = this.validator(this.strict, `${bodyPointer}/content/application~1json/schema`);
        if (!validate(call.body)) errors.push(...this.describe(validate, "body"));
      }
    }
    return errors;
  }

  /** Problems with a response (status declared, headers, body); empty when it conforms. */
  validateResponse(res: ResponseToCheck): string[] {
    const match = this.findOperation(res.method, res.path);
    if (!match) return [`no operation ${res.method} ${res.path} in the spec`];
    const op = this.operation(match);
    const key = String(res.status) in op.responses ? String(res.status) : "default";
    const declared = op.responses[key];
    if (!declared) return [`status ${res.status} is not declared for ${match.operationId}`];
    const response = this.deref<ResponseObject>(declared);
    const responsePointer = "$ref" in declared ? this.refPointer(declared) : `${this.opPointer(match)}/responses/${key}`;
    const errors: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      if (name === "content-type" || name === "x-request-id") continue;
      const value = res.headers[name];
      const schema = this.deref<{ schema?: { type?: string } }>(header).schema;
      if (value === undefined) errors.push(`missing header ${name}`);
      else if (schema?.type === "integer" && !/^\d+$/.test(String(value))) errors.push(`header ${name} is not an integer`);
    }
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) {
      if (res.responseBody !== undefined) errors.push(`${match.operationId} ${key} declares no body but one was sent`);
      return errors;
    }
    const validate = this.validator(this.strict, `${responsePointer}/content/application~1json/schema`);
    if (!validate(res.responseBody)) errors.push(...this.describe(validate, `response ${res.status}`));
    return errors;
  }

  private operation(match: OperationMatch): OperationObject {
    return this.doc.paths[match.template]![match.method.toLowerCase()]!;
  }

  private opPointer(match: OperationMatch): string {
    return `/paths/${escapePointer(match.template)}/${match.method.toLowerCase()}`;
  }

  private refPointer(ref: { $ref: string }): string {
    return ref.$ref.replace(/^#/, "");
  }

  private deref<T>(value: T | { $ref: string }): T {
    if (value && typeof value === "object" && "$ref" in value) {
      let node: unknown = this.doc;
      for (const part of this.refPointer(value).split("/").slice(1)) {
        node = (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
      }
      return node as T;
    }
    return value as T;
  }

  private validator(ajv: Ajv, pointer: string, wrapValue = false): ValidateFunction {
    const key = `${ajv === this.strict ? "s" : "c"}${wrapValue ? "w" : ""}:${pointer}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const ref = { $ref: `${SPEC_ID}#${pointer}` };
      validate = ajv.compile(wrapValue ? { type: "object", properties: { value: ref } } : ref);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private describe(validate: ValidateFunction, where: string): string[] {
    const lines = (validate.errors ?? []).map(
      (e) => `${where}${e.instancePath.replace(/^\/value/, "")} ${e.message ?? "is invalid"}`,
    );
    return [...new Set(lines)];
  }
}
