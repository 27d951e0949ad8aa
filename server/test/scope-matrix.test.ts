// Who may call what: every Query, Mutation and Subscription field of the printed schema, asked
// by every role (a signed-in session) and by an API token of each single scope, against the table
// below. A field added to the API without a row here fails this test until its rule is written
// down. "Allowed" means the request got past authorization (its own arguments here are dummies, so
// it may still end in a validation or not-found error); "refused" means FORBIDDEN or UNAUTHENTICATED.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  buildSchema, getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLField,
  type GraphQLInputType, type GraphQLObjectType, type GraphQLSchema,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_SCOPES, type Scope } from "../src/domain/auth/scopes.js";
import { collect, gid, login, startTestServer, type TestServer } from "./harness.js";

type Role = "ADMIN" | "MEMBER" | "VIEWER";
type Principal = "anonymous" | Role | Scope;

const ROLES: Role[] = ["ADMIN", "MEMBER", "VIEWER"];
const PRINCIPALS: Principal[] = ["anonymous", ...ROLES, ...ALL_SCOPES];

// Who holds each rule: the roles whose sessions pass it, and the single-scope tokens that do.
const EVERYONE: Principal[] = PRINCIPALS;
const SIGNED_IN: Principal[] = PRINCIPALS.filter((p) => p !== "anonymous");
const SESSIONS: Principal[] = ROLES;
const READ: Principal[] = [...ROLES, "read"];
const PROJECTS_WRITE: Principal[] = ["ADMIN", "MEMBER", "projects:write"];
const DEPLOY: Principal[] = ["ADMIN", "MEMBER", "deploy"];
const SERVERS_WRITE: Principal[] = ["ADMIN", "servers:write"];
const CREDENTIALS_WRITE: Principal[] = ["ADMIN", "credentials:write"];
const TOKENS: Principal[] = [...ROLES, "tokens:write"];
const ADMIN: Principal[] = ["ADMIN", "admin"];

/** The expected allow table: for each field, exactly the principals that get past authorization. */
const ALLOWED: Record<string, Principal[]> = {
  "Query.apiTokens": SIGNED_IN,
  "Query.auditActions": ADMIN,
  "Query.auditLog": ADMIN,
  "Query.availableScopes": SIGNED_IN,
  "Query.credentials": READ,
  "Query.deployConfig": READ,
  "Query.deployConfigs": READ,
  "Query.deployments": READ,
  "Query.networkPolicy": ADMIN,
  "Query.node": READ,
  "Query.nodes": READ,
  "Query.operations": READ,
  "Query.project": READ,
  "Query.projects": READ,
  "Query.regions": READ,
  "Query.server": READ,
  "Query.servers": READ,
  "Query.sessions": SIGNED_IN,
  "Query.setupStatus": EVERYONE,
  "Query.sizes": READ,
  "Query.snapshots": READ,
  "Query.sshPublicKey": READ,
  "Query.users": ADMIN,
  "Query.viewer": EVERYONE,
  "Query.consoleUrl": EVERYONE,
  "Query.domainsPreview": READ,
  "Query.limits": EVERYONE,
  "Query.overview": READ,
  "Query.projectByName": READ,
  "Query.serviceByName": READ,

  "Mutation.adoptServer": SERVERS_WRITE,
  "Mutation.deleteProject": PROJECTS_WRITE,
  "Mutation.deleteService": PROJECTS_WRITE,
  // Scaling out creates servers (billed): the same rule as creating them by hand.
  "Mutation.setAutoscalePolicy": SERVERS_WRITE,
  "Mutation.updateProject": PROJECTS_WRITE,
  "Mutation.updateService": PROJECTS_WRITE,
  "Mutation.changePassword": SESSIONS,
  "Mutation.cancelDeployment": DEPLOY,
  "Mutation.cancelOperation": DEPLOY,
  "Mutation.cleanupImages": DEPLOY,
  "Mutation.completeSetup": EVERYONE,
  "Mutation.createApiToken": TOKENS,
  "Mutation.createDeployConfig": PROJECTS_WRITE,
  "Mutation.createProject": PROJECTS_WRITE,
  "Mutation.createService": PROJECTS_WRITE,
  "Mutation.createSnapshot": SERVERS_WRITE,
  "Mutation.createUser": ADMIN,
  "Mutation.deleteCredential": CREDENTIALS_WRITE,
  "Mutation.deleteDeployConfig": PROJECTS_WRITE,
  "Mutation.deleteServer": SERVERS_WRITE,
  "Mutation.deleteSnapshot": SERVERS_WRITE,
  "Mutation.deploy": DEPLOY,
  "Mutation.disableUser": ADMIN,
  "Mutation.enableUser": ADMIN,
  "Mutation.login": EVERYONE,
  "Mutation.logout": SIGNED_IN,
  "Mutation.pinDeployment": DEPLOY,
  "Mutation.provisionServers": SERVERS_WRITE,
  "Mutation.revokeApiToken": TOKENS,
  "Mutation.revokeSession": SIGNED_IN,
  "Mutation.rollback": DEPLOY,
  "Mutation.setCredential": CREDENTIALS_WRITE,
  "Mutation.setDomains": PROJECTS_WRITE,
  "Mutation.setNetworkPolicy": ADMIN,
  "Mutation.setServiceEnv": PROJECTS_WRITE,
  "Mutation.setUserRole": ADMIN,
  "Mutation.unpinDeployment": DEPLOY,
  "Mutation.updateDeployConfig": PROJECTS_WRITE,
  "Mutation.upgradeAgent": SERVERS_WRITE,
  "Mutation.verifyCredential": CREDENTIALS_WRITE,

  "Subscription.operationEvents": READ,
};

const printed = buildSchema(readFileSync(path.resolve(import.meta.dirname, "../../schema.graphql"), "utf8"));

interface FieldCase {
  key: string;
  kind: "query" | "mutation" | "subscription";
  document: string;
  variables: Record<string, unknown>;
}

function fieldsOf(schema: GraphQLSchema): FieldCase[] {
  const roots: [FieldCase["kind"], GraphQLObjectType | null | undefined][] = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((field) => caseOf(kind, type!, field)));
}

/** A document asking for the field with a dummy value for each required argument. */
function caseOf(kind: FieldCase["kind"], parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldCase {
  const required = field.args.filter((arg) => isNonNullType(arg.type));
  const declarations = required.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const args = required.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? "" : " { __typename }";
  return {
    key: `${parent.name}.${field.name}`,
    kind,
    document: `${kind}${declarations ? `(${declarations})` : ""} { ${field.name}${args ? `(${args})` : ""}${selection} }`,
    variables: Object.fromEntries(required.map((arg) => [arg.name, dummy(arg.type)])),
  };
}

let dummyIds = 0;

function dummy(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummy(type.ofType);
  if (isListType(type)) return [dummy(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, dummy(f.type)]));
  }
  switch (type.name) {
    case "ID":
      // Each a different id, so the one an error names can be told apart (see typedIds).
      return gid("Project", `00000000-0000-4000-8000-${String(++dummyIds).padStart(12, "0")}`);
    case "Int":
    case "Float":
      return 1;
    case "Boolean":
      return false;
    case "DateTime":
      return "2026-01-01T00:00:00.000Z";
    case "JSON":
      return {};
    default:
      return "x";
  }
}

const REFUSED = new Set(["FORBIDDEN", "UNAUTHENTICATED"]);

let server: TestServer;
const bearer = new Map<Principal, string | null>();

beforeAll(async () => {
  server = await startTestServer();
  bearer.set("anonymous", null);
  bearer.set("ADMIN", server.adminToken);
  for (const role of ["MEMBER", "VIEWER"] as const) {
    const email = `${role.toLowerCase()}@matrix.test`;
    const created = await server.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { __typename } }`,
      { input: { email, name: role, password: "matrix-password-long", role } },
      server.adminToken,
    );
    expect(created.data.createUser.__typename).toBe("MutationCreateUserSuccess");
    bearer.set(role, await login(server, email, "matrix-password-long"));
  }
  for (const scope of ALL_SCOPES) {
    const created = await server.gql(
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on MutationCreateApiTokenSuccess { data { token } } } }`,
      { input: { name: `only ${scope}`, scopes: [scope] } },
      server.adminToken,
    );
    bearer.set(scope, created.data.createApiToken.data.token);
  }
});
afterAll(async () => server?.stop());

/**
 * Global ids are checked for their type before authorization runs, so each dummy id must name the
 * type its argument wants; the schema does not print it, so it is learnt from the API's answer
 * ("ID: … is not of type: Server") with an admin's session, then used for every principal.
 */
async function typedIds(field: FieldCase): Promise<FieldCase> {
  let variables = field.variables;
  for (let attempt = 0; attempt < 5; attempt++) {
    const errors = await errorsOf("ADMIN", { ...field, variables });
    const wrong = errors.map((e) => /^ID: (\S+) is not of type: (\w+)/.exec(e.message)).find((m) => m !== null);
    if (!wrong) return { ...field, variables };
    const [, id, type] = wrong;
    const raw = Buffer.from(id!, "base64").toString().split(":")[1]!;
    variables = JSON.parse(JSON.stringify(variables).replaceAll(JSON.stringify(id), JSON.stringify(gid(type!, raw))));
  }
  throw new Error(`could not find the id types of ${field.key}`);
}

/** The errors the principal's call ends with (a 401 is UNAUTHENTICATED). */
async function errorsOf(principal: Principal, field: FieldCase): Promise<{ message: string; code: string }[]> {
  const token = bearer.get(principal) ?? null;
  const shape = (e: unknown) => ({ message: String((e as { message?: string }).message), code: String((e as { extensions?: { code?: string } }).extensions?.code) });
  if (field.kind === "subscription") return (await collect(server.ws(token), field.document, field.variables).done).errors.map(shape);
  const result = await server.gql(field.document, field.variables, token);
  return [...(result.status === 401 ? [{ message: "401", code: "UNAUTHENTICATED" }] : []), ...(result.errors ?? []).map(shape)];
}

async function allowed(principal: Principal, field: FieldCase): Promise<boolean> {
  return !(await errorsOf(principal, field)).some((e) => REFUSED.has(e.code));
}

describe("the scope matrix", () => {
  const cases = fieldsOf(printed);

  it("has a row for every field of the printed schema, and none for fields that are gone", () => {
    expect(cases.map((c) => c.key).sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it("lets exactly the expected roles and scopes past authorization, field by field", async () => {
    // logout revokes the caller's token: it goes last.
    const ordered = [...cases.filter((c) => c.key !== "Mutation.logout"), ...cases.filter((c) => c.key === "Mutation.logout")];
    const actual: Record<string, Principal[]> = {};
    for (const untyped of ordered) {
      const field = Object.keys(untyped.variables).length > 0 ? await typedIds(untyped) : untyped;
      const passed: Principal[] = [];
      for (const principal of PRINCIPALS) if (await allowed(principal, field)) passed.push(principal);
      actual[field.key] = passed;
    }
    const expected = Object.fromEntries(Object.entries(ALLOWED).map(([key, principals]) => [key, PRINCIPALS.filter((p) => principals.includes(p))]));
    expect(actual).toEqual(expected);
  }, 300_000);
});
