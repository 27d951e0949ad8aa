// Settings → Users, Sessions and Audit log in Chromium against the real API (issue 11), and the
// sign-in page's boundaries: a `next` that would leave the site, and the console's own headers.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { phoneScreenshot, screenshot, startApiServer, useTestBed, type TestBed } from "./harness";

const admin = { email: "admin@example.com", password: "e2e-correct-horse-battery" };
const member = { email: "dana@example.com", name: "Dana", password: "dana-long-password-1" };

describe("teams: users, sessions and the audit log", () => {
  const bed = useTestBed((web) => startApiServer(admin, web));
  let web: TestBed<{ url: string }>["web"];
  let api: { url: string };
  let page: Page;
  beforeAll(() => {
    ({ web, page, api } = bed);
  });

  const settings = (name: string) => page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name, exact: true });

  async function signIn(email: string, password: string, path = "/login") {
    await page.goto(`${web.url}${path}`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  it("serves every page with a CSP that forbids framing, and stays on the site whatever `next` says", async () => {
    const response = await page.goto(`${web.url}/login`);
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
    expect(headers["content-security-policy"]).toMatch(/default-src 'self'/);
    expect(headers["x-frame-options"]).toBe("DENY");

    // A tab makes "/\t/evil.test" read as "//evil.test" (another site) once the browser parses it.
    await signIn(admin.email, admin.password, "/login?next=%2F%09%2Fevil.test");
    await page.waitForURL((url) => url.pathname === "/");
    expect(new URL(page.url()).origin).toBe(web.url);
  });

  it("lets the admin add a member, change their role and disable them", async () => {
    await page.goto(`${web.url}/settings/users`);
    const users = page.getByRole("list", { name: "Users" });
    await users.getByText(admin.email).waitFor();

    const form = page.locator("form", { has: page.getByRole("button", { name: "Add user" }) });
    await form.getByLabel("Email").fill(member.email);
    await form.getByLabel("Name").fill(member.name);
    await form.getByLabel("Password").fill("short");
    await form.getByRole("button", { name: "Add user" }).click();
    await form.getByText("Use at least 12 characters.").waitFor();
    await form.getByLabel("Password").fill(member.password);
    await form.getByRole("button", { name: "Add user" }).click();
    await form.getByText(`${member.email} can sign in now, as member.`).waitFor();
    const row = users.getByRole("listitem").filter({ hasText: member.email });
    await row.waitFor();
    await screenshot(page, "60-settings-users");

    await row.getByLabel(`Role of ${member.name}`).selectOption("VIEWER");
    await expect.poll(() => row.getByLabel(`Role of ${member.name}`).inputValue()).toBe("VIEWER");

    // The last admin cannot demote themselves: the refusal shows beside the row.
    const adminRow = users.getByRole("listitem").filter({ hasText: admin.email });
    await adminRow.getByLabel(/^Role of /).selectOption("MEMBER");
    await adminRow.getByRole("alert").filter({ hasText: /one active admin/ }).waitFor();
    await screenshot(page, "61-settings-users-last-admin");

    await row.getByRole("button", { name: "Disable" }).click();
    await row.getByRole("button", { name: `Disable ${member.name}` }).click();
    await row.getByText("Disabled").waitFor();
    await row.getByRole("button", { name: "Enable" }).click();
    await row.getByRole("button", { name: "Disable" }).waitFor();
    await phoneScreenshot(page, "62-settings-users-phone");
  });

  it("shows the admin's sessions and everyone's, and ends one", async () => {
    // The member signs in over the API, as a CLI would: a second session to see and end.
    const login = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "slipway/1.0 (linux)" },
      body: JSON.stringify({ query: `mutation { login(input: {email: "${member.email}", password: "${member.password}"}) { __typename ... on MutationLoginSuccess { data { token } } } }` }),
    });
    const memberToken = ((await login.json()) as { data: { login: { data: { token: string } } } }).data.login.data.token;

    await settings("Sessions").click();
    const sessions = page.getByRole("list", { name: "Sessions" });
    await sessions.getByText("This session").waitFor();
    expect(await sessions.getByRole("listitem").count()).toBeGreaterThanOrEqual(1);
    await page.getByLabel("Show every user's sessions").check();
    await page.getByRole("heading", { name: "Everyone's sessions" }).waitFor();
    const memberRow = sessions.getByRole("listitem").filter({ hasText: member.email });
    await memberRow.getByText("slipway CLI on Linux").waitFor();
    await screenshot(page, "63-settings-sessions");
    await memberRow.getByRole("button", { name: "End session" }).click();
    await memberRow.getByRole("button", { name: "End it" }).click();
    await memberRow.waitFor({ state: "detached" });

    const after = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${memberToken}` },
      body: JSON.stringify({ query: "{ viewer { email } }" }),
    });
    expect(after.status).toBe(401);
  });

  it("lists the audit log with filters, refusals included", async () => {
    await settings("Audit log").click();
    const table = page.getByRole("table", { name: "Audit log" });
    await table.getByText("createUser").first().waitFor();
    await page.getByLabel("Outcome").selectOption("failed");
    await table.getByText("setUserRole").first().waitFor();
    await expect.poll(async () => (await table.locator("tbody tr").allTextContents()).every((text) => !/\bok\b/.test(text))).toBe(true);
    await page.getByLabel("Action").selectOption("login");
    await table.getByText("INVALID_CREDENTIALS").first().waitFor().catch(async () => {
      // No failed sign-in yet in this run: make one, then look again.
      await fetch(api.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `mutation { login(input: {email: "${admin.email}", password: "wrong"}) { __typename } }` }) });
      await page.reload();
      await page.getByLabel("Outcome").selectOption("failed");
      await page.getByLabel("Action").selectOption("login");
      await table.getByText("INVALID_CREDENTIALS").first().waitFor();
    });
    await screenshot(page, "64-settings-audit-failed");
  });

  it("keeps Users, Sessions and the audit log to what a viewer may see", async () => {
    await page.evaluate(() => localStorage.clear());
    await signIn(member.email, member.password);
    await page.waitForURL((url) => url.pathname === "/");
    // Dana is a viewer now: no people list, her own password form only.
    await page.goto(`${web.url}/settings/users`);
    await page.getByRole("heading", { name: "Your password" }).waitFor();
    expect(await page.getByRole("list", { name: "Users" }).count()).toBe(0);
    await page.goto(`${web.url}/settings/audit`);
    await page.getByText("Couldn't load the audit log").waitFor();
    await page.getByText("You don't have permission to do that.").waitFor();
    await screenshot(page, "65-settings-audit-refused");
  });
});
