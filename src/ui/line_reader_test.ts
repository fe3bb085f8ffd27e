import assert from "node:assert/strict";
import { LineReader, type ReadFn } from "./line_reader.ts";

/** A source that hands out `chunks` one read at a time and counts the bytes it gave. */
function source(chunks: string[]): { read: ReadFn; given: () => number } {
  const queue = chunks.map((chunk) => new TextEncoder().encode(chunk));
  let given = 0;
  return {
    read: (buffer) => {
      const head = queue[0];
      if (!head) return Promise.resolve(null);
      const count = Math.min(buffer.length, head.length);
      buffer.set(head.subarray(0, count));
      if (count === head.length) queue.shift();
      else queue[0] = head.subarray(count);
      given += count;
      return Promise.resolve(count);
    },
    given: () => given,
  };
}

Deno.test("lines split across and within chunks, CRLF and a last line without newline", async () => {
  const reader = new LineReader(source(["al", "ice\r\nbo", "b\n\nlast"]).read, 64);
  assert.equal(await reader.readLine(), "alice");
  assert.equal(await reader.readLine(), "bob");
  assert.equal(await reader.readLine(), "");
  assert.equal(await reader.readLine(), "last");
  assert.equal(await reader.readLine(), null);
  assert.equal(await reader.readLine(), null);
});

Deno.test("multi-byte characters split between reads survive", async () => {
  const reader = new LineReader(source(["p\u00e4ss\u20ac\n"]).read, 1);
  assert.equal(await reader.readLine(), "p\u00e4ss\u20ac");
});

Deno.test("with chunk size 1 nothing past the line is consumed", async () => {
  const src = source(["one\ntwo\nthree\n"]);
  const reader = new LineReader(src.read, 1);
  assert.equal(await reader.readLine(), "one");
  assert.equal(src.given(), 4);
  assert.equal(await reader.readLine(), "two");
  assert.equal(src.given(), 8);
});

Deno.test("bytes and lines share one buffer; overlapping reads stay in order", async () => {
  const reader = new LineReader(source(["ab\ncd\n"]).read, 64);
  const [first, second, third] = await Promise.all([reader.readByte(), reader.readLine(), reader.readLine()]);
  assert.equal(first, 0x61);
  assert.equal(second, "b");
  assert.equal(third, "cd");
  assert.equal(await reader.readByte(), null);
});

Deno.test("zero-byte reads are not end of input", async () => {
  let calls = 0;
  const reader = new LineReader((buffer) => {
    calls++;
    if (calls === 1) return Promise.resolve(0);
    if (calls === 2) {
      buffer.set([0x78, 0x0a]);
      return Promise.resolve(2);
    }
    return Promise.resolve(null);
  }, 8);
  assert.equal(await reader.readLine(), "x");
});
