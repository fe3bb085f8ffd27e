import assert from "node:assert/strict";
import { goJsonStringify, goTimeString } from "./go_json.ts";

Deno.test("goJsonStringify escapes HTML characters and line separators as Go does", () => {
  assert.equal(
    goJsonStringify({ a: "<b>&\u2028\u2029", "<k>": 1 }),
    `{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029","\\u003ck\\u003e":1}`,
  );
  assert.deepEqual(JSON.parse(goJsonStringify({ a: "<&>" })), { a: "<&>" });
});

Deno.test("goTimeString uses Go's time.String layout with trailing zeros trimmed", () => {
  assert.equal(goTimeString(new Date("2024-01-02T03:04:05.678Z")), "2024-01-02 03:04:05.678 +0000 UTC");
  assert.equal(goTimeString(new Date("2024-01-02T03:04:05.100Z")), "2024-01-02 03:04:05.1 +0000 UTC");
  assert.equal(goTimeString(new Date("2024-01-02T03:04:05Z")), "2024-01-02 03:04:05 +0000 UTC");
});
