import assert from "node:assert/strict";
import { createDebugLog, redact, redactFields } from "./debug_log.ts";

Deno.test("createDebugLog prefixes every line and is silent when disabled", () => {
  const lines: string[] = [];
  createDebugLog(true, (line) => lines.push(line))("GET /api/v1/authn -> 200\nsecond line");
  createDebugLog(false, (line) => lines.push(line))("never shown");
  assert.deepEqual(lines, ["[debug] GET /api/v1/authn -> 200", "[debug] second line"]);
});

Deno.test("createDebugLog writes to stderr by default, nothing to stdout", async () => {
  const script = `import { createDebugLog } from ${
    JSON.stringify(new URL("./debug_log.ts", import.meta.url).href)
  };
createDebugLog(true)("hello");
createDebugLog(false)("hidden");`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout), "");
  assert.equal(new TextDecoder().decode(stderr), "[debug] hello\n");
});

Deno.test("redact keeps the last characters of long values only", () => {
  assert.equal(redact("ASIAEXAMPLEKEY1234"), "****1234");
  assert.equal(redact("ASIAEXAMPLEKEY1234", 2), "****34");
  assert.equal(redact("ASIAEXAMPLEKEY1234", 0), "****");
  assert.equal(redact("12345678"), "****");
  assert.equal(redact("abc"), "****");
  assert.equal(redact(""), "");
});

Deno.test("redactFields masks secret fields at any depth and leaves the input alone", () => {
  const input = {
    username: "alice",
    password: "hunter2",
    options: { warnBeforePasswordExpired: true },
    stateToken: "00abc",
    _embedded: {
      factors: [{ id: "opf1", factorType: "push" }, {
        id: "sms1",
        profile: { phoneNumber: "+1 XXX-XXX-1234" },
      }],
    },
    nested: [{ passCode: "123456" }, { SAMLResponse: "PHNhbWw..." }],
    Credentials: {
      AccessKeyId: "ASIAEXAMPLEKEY1234",
      SecretAccessKey: "wJalrXUtnFEMI/K7MDENG",
      SessionToken: "IQoJb3JpZ2luX2VjE...",
      Expiration: "2026-01-01T00:00:00Z",
    },
    headers: { Cookie: "sid=abc; DT=def", authorization: "SSWS xyz", "content-type": "application/json" },
    sid: "102abc",
    DT: "dt-cookie",
    token: { value: "nested object" },
    access_token: "a",
    id_token: "i",
    refresh_token: "r",
    device_secret: "d",
    sessionToken: "s",
    SAMLAssertion: "x",
    emptyPassword: "",
    missing: null,
  };
  const before = structuredClone(input);
  const out = redactFields(input);
  assert.deepEqual(input, before);
  assert.deepEqual(out, {
    username: "alice",
    password: "****",
    options: { warnBeforePasswordExpired: true },
    stateToken: "****",
    _embedded: {
      factors: [{ id: "opf1", factorType: "push" }, {
        id: "sms1",
        profile: { phoneNumber: "+1 XXX-XXX-1234" },
      }],
    },
    nested: [{ passCode: "****" }, { SAMLResponse: "****" }],
    Credentials: {
      AccessKeyId: "****1234",
      SecretAccessKey: "****",
      SessionToken: "****",
      Expiration: "2026-01-01T00:00:00Z",
    },
    headers: { Cookie: "****", authorization: "****", "content-type": "application/json" },
    sid: "****",
    DT: "****",
    token: "****",
    access_token: "****",
    id_token: "****",
    refresh_token: "****",
    device_secret: "****",
    sessionToken: "****",
    SAMLAssertion: "****",
    emptyPassword: "",
    missing: null,
  });
});

Deno.test("redactFields handles Headers, arrays at the top, primitives and cycles", () => {
  const headers = new Headers({ "Set-Cookie": "sid=abc", Accept: "application/json" });
  assert.deepEqual(redactFields(headers), { accept: "application/json", "set-cookie": "****" });
  assert.deepEqual(redactFields([{ password: "p" }, 3]), [{ password: "****" }, 3]);
  assert.equal(redactFields("plain text"), "plain text");
  assert.equal(redactFields(42), 42);
  const cyclic: Record<string, unknown> = { password: "p" };
  cyclic["self"] = cyclic;
  assert.deepEqual(redactFields(cyclic), { password: "****", self: "[circular]" });
  const when = new Date(0);
  assert.equal(redactFields({ when }).when, when);
});
