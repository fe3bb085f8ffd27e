import assert from "node:assert/strict";
import { authenticatorData, cborByteString, derSignature, FLAG_USER_PRESENT } from "./authenticator.ts";

Deno.test("authenticatorData: SHA-256 of the rp id, flags, big-endian counter", async () => {
  const data = await authenticatorData("acme.okta.com", FLAG_USER_PRESENT, 0x01020304);
  const hash = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode("acme.okta.com")),
  );
  assert.deepEqual(data.subarray(0, 32), hash);
  assert.deepEqual(data.subarray(32), Uint8Array.of(0x01, 1, 2, 3, 4));
});

Deno.test("derSignature: minimal integers, a 0x00 before a high bit", () => {
  const raw = new Uint8Array(64);
  raw.fill(0x80, 0, 32); // r has its high bit set
  raw[63] = 0x05; // s is 5
  const der = derSignature(raw);
  assert.deepEqual(der.subarray(0, 5), Uint8Array.of(0x30, 2 + 33 + 2 + 1, 0x02, 33, 0x00));
  assert.deepEqual(der.subarray(-3), Uint8Array.of(0x02, 1, 0x05));
  assert.throws(() => derSignature(new Uint8Array(63)), /64 bytes, not 63/);
});

Deno.test("cborByteString: short, 1-byte and 2-byte lengths; other data passes through", () => {
  assert.deepEqual(cborByteString(Uint8Array.of(0x43, 1, 2, 3)), Uint8Array.of(1, 2, 3));
  const authData = new Uint8Array(37).fill(9);
  assert.deepEqual(cborByteString(Uint8Array.of(0x58, 37, ...authData)), authData);
  const long = new Uint8Array(300).fill(1);
  assert.deepEqual(cborByteString(Uint8Array.of(0x59, 1, 44, ...long)), long);
  assert.deepEqual(cborByteString(Uint8Array.of(1, 2)), Uint8Array.of(1, 2));
  assert.throws(() => cborByteString(Uint8Array.of(0x58, 40, 1)), /truncated/);
  assert.throws(() => cborByteString(Uint8Array.of(0x5a, 0, 0, 0, 1, 1)), /unexpected encoding/);
});
