import assert from "node:assert/strict";
import { readRawLine } from "./raw_input.ts";

function keys(text: string): () => Promise<number | null> {
  const bytes = [...new TextEncoder().encode(text)];
  return () => Promise.resolve(bytes.shift() ?? null);
}

Deno.test("Enter ends the line (CR or LF)", async () => {
  assert.deepEqual(await readRawLine(keys("hunter2\r")), { line: "hunter2" });
  assert.deepEqual(await readRawLine(keys("pass word\n")), { line: "pass word" });
  assert.deepEqual(await readRawLine(keys("\r")), { line: "" });
});

Deno.test("Backspace removes one character, also a multi-byte one; Ctrl-U clears", async () => {
  assert.deepEqual(await readRawLine(keys("s3cr\x7fret\r")), { line: "s3cret" });
  assert.deepEqual(await readRawLine(keys("ab\u20ac\x7fc\r")), { line: "abc" });
  assert.deepEqual(await readRawLine(keys("\x7f\x08x\r")), { line: "x" });
  assert.deepEqual(await readRawLine(keys("wrong\x15right\r")), { line: "right" });
});

Deno.test("Ctrl-C cancels, Ctrl-D on an empty line ends input", async () => {
  assert.deepEqual(await readRawLine(keys("abc\x03def\r")), { cancelled: true });
  assert.deepEqual(await readRawLine(keys("\x04")), { eof: true });
  assert.deepEqual(await readRawLine(keys("ab\x04c\r")), { line: "abc" });
  assert.deepEqual(await readRawLine(keys("")), { eof: true });
  assert.deepEqual(await readRawLine(keys("partial")), { line: "partial" });
});

Deno.test("arrow keys and other control characters are ignored", async () => {
  assert.deepEqual(await readRawLine(keys("a\x1b[Db\x1bOAc\x1b[1;5Cd\x01\r")), { line: "abcd" });
});
