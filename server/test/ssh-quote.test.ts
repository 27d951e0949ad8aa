import { describe, expect, it } from "vitest";
import { shellQuote } from "../src/integrations/ssh/shell-quote.js";
import { sha256Fingerprint } from "../src/integrations/ssh/fingerprint.js";

describe("shellQuote", () => {
  it("leaves plain words bare and joins them with spaces", () => {
    expect(shellQuote(["docker", "ps", "--format", "{{.ID}}"])).toBe("docker ps --format '{{.ID}}'");
    expect(shellQuote(["mkdir", "-p", "/opt/slipway/agent", "a=b,c:d@e%f+g"])).toBe("mkdir -p /opt/slipway/agent a=b,c:d@e%f+g");
  });

  it("quotes every shell metacharacter so nothing is expanded, split or globbed", () => {
    expect(shellQuote(["echo", "$(rm -rf /)", "`id`", "${HOME}", "*", "a b", "x;y", "a|b", "a&b", "~", "#c", "<in", ">out"])).toBe(
      "echo '$(rm -rf /)' '`id`' '${HOME}' '*' 'a b' 'x;y' 'a|b' 'a&b' '~' '#c' '<in' '>out'",
    );
  });

  it("closes, escapes and reopens around single quotes", () => {
    expect(shellQuote(["echo", "it's"])).toBe("echo 'it'\\''s'");
    expect(shellQuote(["echo", "'"])).toBe("echo ''\\'''");
    expect(shellQuote(["echo", "''"])).toBe("echo ''\\'''\\'''");
    expect(shellQuote(["echo", `"double" and 'single'`])).toBe(`echo '"double" and '\\''single'\\'''`);
  });

  it("keeps newlines, tabs and backslashes literal inside quotes", () => {
    expect(shellQuote(["printf", "a\nb\tc\\n"])).toBe("printf 'a\nb\tc\\n'");
  });

  it("quotes the empty string and passes leading dashes through unchanged (builders add `--`)", () => {
    expect(shellQuote(["ls", ""])).toBe("ls ''");
    expect(shellQuote(["rm", "--", "-rf", "--help"])).toBe("rm -- -rf --help");
    expect(shellQuote(["grep", "-e", "-x y"])).toBe("grep -e '-x y'");
  });

  it("quotes non-ASCII and refuses NUL bytes and empty argv", () => {
    expect(shellQuote(["echo", "héllo"])).toBe("echo 'héllo'");
    expect(() => shellQuote(["echo", "a\0b"])).toThrow(/NUL/);
    expect(() => shellQuote([])).toThrow(/at least one/);
  });

  it("round-trips through a real sh exactly", async () => {
    const { execFileSync } = await import("node:child_process");
    const nasty = ["$(touch /tmp/slipway-never)", "it's", "a\nb", "-n", "", "*", "\\", '"', "x'y\"z$w`v"];
    const printed = execFileSync("sh", ["-c", `${shellQuote(["printf", "%s\\0", ...nasty])}`]).toString("utf8");
    expect(printed.split("\0").slice(0, -1)).toEqual(nasty);
  });
});

describe("sha256Fingerprint", () => {
  it("matches OpenSSH's SHA256:<unpadded base64> form", () => {
    expect(sha256Fingerprint(Buffer.from("abc"))).toBe("SHA256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0");
  });
});
