import assert from "node:assert/strict";
import { pointerArray } from "./security_framework.ts";

Deno.test("pointerArray packs pointer values for CFDictionaryCreate", () => {
  const a = new Uint8Array(1);
  const b = new Uint8Array(1);
  const array = pointerArray([Deno.UnsafePointer.of(a), Deno.UnsafePointer.of(b), null]);
  assert.deepEqual([...array], [
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(a))),
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(b))),
    0n,
  ]);
  assert.equal(pointerArray([]).length, 1); // never a zero-length buffer
});
