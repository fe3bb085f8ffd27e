import assert from "node:assert/strict";
import { AppError, formatError, isRecord, oneLine, serverText } from "./errors.ts";

Deno.test("formatError joins message and hint on one line, escaping control characters", () => {
  assert.equal(formatError(new AppError("bad", { hint: "fix it" })), "bad; fix it");
  assert.equal(
    formatError(new AppError('invalid value "a\rb\nc"', { hint: "\u001b[2Jcleared" })),
    'invalid value "a\\rb\\nc"; \\x1bcleared'.replace("\\x1bcleared", "\\x1b[2Jcleared"),
  );
  assert.equal(oneLine("tab\there\u0000\u007f\u0085é☃"), "tab\\there\\x00\\x7f\\x85é☃");
});

Deno.test("serverText makes a server's text one line without a final period, cut at max", () => {
  assert.equal(serverText("  Authentication\n failed.\r\n"), "Authentication failed");
  assert.equal(serverText("x".repeat(200)), `${"x".repeat(157)}...`);
  assert.equal(serverText("abcdefghij", 8), "abcde...");
  assert.equal(serverText("v1.2"), "v1.2");
});

Deno.test("isRecord accepts plain objects only", () => {
  assert.equal(isRecord({ a: 1 }), true);
  assert.equal(isRecord(null), false);
  assert.equal(isRecord([1]), false);
  assert.equal(isRecord("text"), false);
});
