// Who a request comes from, for sign-in throttling per client address: the peer, unless the peer
// is a proxy the operator trusts (SLIPWAY_TRUSTED_PROXIES), in which case its X-Forwarded-For.
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { clientAddress, parseTrustedProxies } from "../src/graphql/client-address.js";
import { ADMIN, startTestServer, type TestServer } from "./harness.js";

describe("the client's address", () => {
  const loopbackAndPrivate = parseTrustedProxies("127.0.0.1, ::1, 10.0.0.0/8");
  const nobody = parseTrustedProxies("");

  it("is the peer's when the peer is not a trusted proxy, whatever it claims", () => {
    expect(clientAddress("203.0.113.5", "198.51.100.1", loopbackAndPrivate)).toBe("203.0.113.5");
    expect(clientAddress("127.0.0.1", "198.51.100.1", nobody)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", undefined, loopbackAndPrivate)).toBe("127.0.0.1");
    expect(clientAddress(undefined, "198.51.100.1", loopbackAndPrivate)).toBeUndefined();
  });

  it("is the nearest untrusted hop of a trusted proxy's X-Forwarded-For, so a client cannot choose it", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.1", loopbackAndPrivate)).toBe("198.51.100.1");
    expect(clientAddress("::ffff:127.0.0.1", "198.51.100.1", loopbackAndPrivate)).toBe("198.51.100.1");
    expect(clientAddress("::1", "2001:db8::7", loopbackAndPrivate)).toBe("2001:db8::7");
    // The client sent its own header; nginx appended the real peer: the real peer wins.
    expect(clientAddress("127.0.0.1", "1.2.3.4, 198.51.100.1", loopbackAndPrivate)).toBe("198.51.100.1");
    expect(clientAddress("127.0.0.1", ["1.2.3.4", "198.51.100.1"], loopbackAndPrivate)).toBe("198.51.100.1");
    // Through two trusted proxies (an outer balancer on the private network, then nginx).
    expect(clientAddress("127.0.0.1", "198.51.100.1, 10.1.2.3", loopbackAndPrivate)).toBe("198.51.100.1");
    // Garbage stops the walk at the last address a trusted proxy vouched for.
    expect(clientAddress("127.0.0.1", "198.51.100.1, not-an-ip, 10.1.2.3", loopbackAndPrivate)).toBe("10.1.2.3");
    expect(clientAddress("127.0.0.1", "", loopbackAndPrivate)).toBe("127.0.0.1");
  });

  it("refuses a configuration that names something other than addresses and CIDR blocks", () => {
    for (const bad of ["localhost", "10.0.0.0/33", "10.0.0.0/8/1", "::1/129", "10.0.0.0/x", "10.0.0.0/"]) {
      expect(() => loadConfig({ SLIPWAY_TRUSTED_PROXIES: bad }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ SLIPWAY_TRUSTED_PROXIES: "localhost" })).toThrow("SLIPWAY_TRUSTED_PROXIES: localhost is not an IP address or CIDR block");
    expect(loadConfig({ SLIPWAY_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8, ::1" }).trustedProxies.check("10.9.9.9")).toBe(true);
  });
});

describe("sign-in throttling per client address behind a proxy", () => {
  // Three failures from one address hold every sign-in from it; accounts themselves never are here.
  const policy = { freeFailuresPerAccount: 1_000, freeFailuresPerAddress: 3, baseDelayMs: 60_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000 };
  let trusting: TestServer;
  let untrusting: TestServer;

  beforeAll(async () => {
    trusting = await startTestServer({ SLIPWAY_TRUSTED_PROXIES: "127.0.0.1" }, undefined, { loginGuardPolicy: policy });
    untrusting = await startTestServer({}, undefined, { loginGuardPolicy: policy });
  });
  afterAll(async () => {
    await trusting?.stop();
    await untrusting?.stop();
  });

  async function signIn(server: TestServer, password: string, forwardedFor: string): Promise<string> {
    const response = await request(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ query: `mutation($input: LoginInput!) { login(input: $input) { __typename } }`, variables: { input: { email: ADMIN.email, password } } }),
    });
    return ((await response.body.json()) as { data: { login: { __typename: string } } }).data.login.__typename;
  }

  it("holds the guessing client only, when the proxy is trusted", async () => {
    for (let i = 0; i < 3; i++) expect(await signIn(trusting, "wrong-password", "198.51.100.7")).toBe("InvalidCredentialsError");
    expect(await signIn(trusting, ADMIN.password, "198.51.100.7")).toBe("RateLimitedError");
    expect(await signIn(trusting, ADMIN.password, "198.51.100.8")).toBe("MutationLoginSuccess");
    // Claiming another address in front of the proxy's own entry changes nothing.
    expect(await signIn(trusting, ADMIN.password, "198.51.100.9, 198.51.100.7")).toBe("RateLimitedError");
  });

  it("ignores the header when the peer is not trusted: every claimed address is the peer's", async () => {
    for (let i = 0; i < 3; i++) expect(await signIn(untrusting, "wrong-password", `198.51.100.${i + 1}`)).toBe("InvalidCredentialsError");
    expect(await signIn(untrusting, ADMIN.password, "198.51.100.200")).toBe("RateLimitedError");
  });
});
