import assert from "node:assert/strict";
import { AppError, formatError, oneLine } from "./errors.ts";

Deno.test("formatError joins message and hint on one line, escaping control characters", () => {
  assert.equal(formatError(new AppError("bad", { hint: "fix it" })), "bad; fix it");
  assert.equal(
    formatError(new AppError('invalid value "a\rb\nc"', { hint: "\u001b[2Jcleared" })),
    'invalid value "a\\rb\\nc"; \\x1bcleared'.replace("\\x1bcleared", "\\x1b[2Jcleared"),
  );
  assert.equal(oneLine("tab\there\u0000\u007f\u0085é☃"), "tab\\there\\x00\\x7f\\x85é☃");
});
