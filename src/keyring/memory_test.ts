import assert from "node:assert/strict";
import { KeyNotFoundError } from "./keyring.ts";
import { MemoryKeyring } from "./memory.ts";

Deno.test("memory keyring: set, get, keys, idempotent remove", async () => {
  const kr = new MemoryKeyring([{ key: "seed", data: new Uint8Array([1]) }]);
  assert.equal(kr.backend, "memory");
  await kr.set({ key: "b", data: new Uint8Array([2]), label: "l", description: "d" });
  assert.deepEqual(await kr.get("b"), { key: "b", data: new Uint8Array([2]), label: "l", description: "d" });
  assert.deepEqual(await kr.keys(), ["b", "seed"]);
  await kr.remove("b");
  await kr.remove("b");
  assert.deepEqual(await kr.keys(), ["seed"]);
  await assert.rejects(kr.get("b"), (error: unknown) => {
    assert.ok(error instanceof KeyNotFoundError);
    assert.equal(error.message, `no "b" item in the memory keyring`);
    assert.equal(error.backend, "memory");
    return true;
  });
});

Deno.test("memory keyring: stored items do not alias caller buffers", async () => {
  const data = new Uint8Array([1, 2, 3]);
  const kr = new MemoryKeyring();
  await kr.set({ key: "k", data });
  data[0] = 9;
  const read = await kr.get("k");
  assert.deepEqual(read.data, new Uint8Array([1, 2, 3]));
  read.data[1] = 9;
  assert.deepEqual((await kr.get("k")).data, new Uint8Array([1, 2, 3]));
});
