import assert from "node:assert/strict";
import {
  buildCredential,
  CRED_PERSIST_LOCAL_MACHINE,
  CRED_TYPE_GENERIC,
  CREDENTIALW,
  readCredential,
  readUtf16z,
  utf16z,
} from "./advapi32.ts";

const pointerOf = (bytes: Uint8Array<ArrayBuffer>) => Deno.UnsafePointer.of(bytes)!;
const addressOf = (bytes: Uint8Array<ArrayBuffer>) => BigInt(Deno.UnsafePointer.value(pointerOf(bytes)));

Deno.test("utf16z encodes UTF-16LE with a NUL, surrogate pairs included", () => {
  assert.deepEqual([...utf16z("aé")], [0x61, 0, 0xe9, 0, 0, 0]);
  // U+1F511 (key emoji) is the surrogate pair D83D DD11.
  assert.deepEqual([...utf16z("\u{1F511}")], [0x3d, 0xd8, 0x11, 0xdd, 0, 0]);
  assert.deepEqual([...utf16z("")], [0, 0]);
});

Deno.test("readUtf16z reads back what utf16z wrote and stops at NUL or the limit", () => {
  for (const text of ["", "keyring:aws-okta-login:okta-creds", "ünïcödé \u{1F511} 日本"]) {
    assert.equal(readUtf16z(pointerOf(utf16z(text))), text);
  }
  const twoStrings = new Uint8Array([0x61, 0, 0, 0, 0x62, 0, 0, 0]);
  assert.equal(readUtf16z(pointerOf(twoStrings)), "a");
  assert.equal(readUtf16z(pointerOf(utf16z("abcdef")), 3), "abc");
  assert.equal(readUtf16z(null), "");
});

Deno.test("buildCredential lays out CREDENTIALW as 64-bit Windows does", () => {
  const blob = new TextEncoder().encode(`{"Username":"u"}`);
  const memory = buildCredential("keyring:aws-okta-login:okta-creds", blob, "aws-okta: okta credentials");
  const view = new DataView(memory.struct.buffer);
  assert.equal(memory.struct.length, 80);
  assert.equal(view.getUint32(CREDENTIALW.Flags, true), 0);
  assert.equal(view.getUint32(CREDENTIALW.Type, true), CRED_TYPE_GENERIC);
  const [target, storedBlob, comment] = memory.buffers;
  assert.equal(view.getBigUint64(8, true), addressOf(target!));
  assert.equal(view.getBigUint64(16, true), addressOf(comment!));
  assert.equal(view.getBigUint64(24, true), 0n); // LastWritten is set by Windows
  assert.equal(view.getUint32(32, true), blob.length);
  assert.equal(view.getBigUint64(40, true), addressOf(storedBlob!));
  assert.equal(view.getUint32(48, true), CRED_PERSIST_LOCAL_MACHINE);
  assert.equal(view.getUint32(52, true), 0); // no attributes
  assert.equal(view.getBigUint64(56, true), 0n);
  assert.equal(view.getBigUint64(64, true), 0n); // no alias
  assert.equal(view.getBigUint64(72, true), 0n); // no user name
  assert.equal(readUtf16z(pointerOf(target!)), "keyring:aws-okta-login:okta-creds");
  assert.deepEqual(storedBlob, blob);
  // The blob is a copy: the caller may wipe its buffer.
  assert.notEqual(storedBlob!.buffer, blob.buffer);
});

Deno.test("readCredential reads a CREDENTIALW back, copying the blob", () => {
  const blob = new Uint8Array([0, 1, 2, 253, 254, 255]);
  const memory = buildCredential("keyring:aws-okta-login:k \u{1F511}", blob, "aws-okta: label");
  const credential = readCredential(pointerOf(memory.struct));
  assert.deepEqual(credential, {
    type: CRED_TYPE_GENERIC,
    targetName: "keyring:aws-okta-login:k \u{1F511}",
    comment: "aws-okta: label",
    blob,
    persist: CRED_PERSIST_LOCAL_MACHINE,
  });
  memory.buffers[1]!.fill(9);
  assert.deepEqual(credential.blob, blob);
  // A credential written by Go's wincred package has no comment and may have an empty blob.
  const bare = readCredential(
    pointerOf(buildCredential("keyring:aws-okta-login:e", new Uint8Array(0)).struct),
  );
  assert.equal(bare.comment, "");
  assert.deepEqual(bare.blob, new Uint8Array(0));
});
