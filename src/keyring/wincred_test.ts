import assert from "node:assert/strict";
import { findExecutable } from "../../tests/peers.ts";
import { KeyNotFoundError, KeyringError } from "./keyring.ts";
import {
  buildCredential,
  checkBlobSize,
  CRED_PERSIST_LOCAL_MACHINE,
  CRED_TYPE_GENERIC,
  CREDENTIALW,
  keyOfTarget,
  MAX_BLOB_BYTES,
  readCredential,
  readUtf16z,
  TARGET_PREFIX,
  targetName,
  utf16z,
  WincredKeyring,
} from "./wincred.ts";

const pointerOf = (bytes: Uint8Array<ArrayBuffer>) => Deno.UnsafePointer.of(bytes)!;
const addressOf = (bytes: Uint8Array<ArrayBuffer>) => BigInt(Deno.UnsafePointer.value(pointerOf(bytes)));

Deno.test("targets use 99designs/keyring's naming with aws-okta's service", () => {
  assert.equal(targetName("okta-creds"), "keyring:aws-okta-login:okta-creds");
  assert.equal(keyOfTarget("keyring:aws-okta-login:okta-dev session (0123)"), "okta-dev session (0123)");
  assert.equal(keyOfTarget("aws-vault:default:x"), undefined);
  assert.equal(keyOfTarget("keyring:other-service:x"), undefined);
});

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

Deno.test("blobs over 2560 bytes are refused with a clear message", () => {
  checkBlobSize("session-cache", MAX_BLOB_BYTES);
  assert.throws(() => checkBlobSize("session-cache", MAX_BLOB_BYTES + 1), (error: unknown) => {
    assert.ok(error instanceof KeyringError);
    assert.equal(
      error.message,
      `wincred keyring: item "session-cache" is 2561 bytes; Windows Credential Manager holds at most 2560`,
    );
    assert.match(error.hint ?? "", /--session-cache-single-item/);
    return true;
  });
});

Deno.test({
  name: "wincred is refused anywhere but Windows",
  ignore: Deno.build.os === "windows", // the refusal elsewhere; Windows runs the test below
  fn() {
    assert.throws(() => WincredKeyring.open(), /wincred keyring unavailable: Windows only/);
  },
});

// The real Credential Manager: runs on the Windows job of the GitHub workflow, and under Wine
// (`make test-windows`), whose Credential Manager keeps credentials in the prefix's registry.
Deno.test({
  name: "wincred keyring against the Windows Credential Manager",
  ignore: Deno.build.os !== "windows",
  async fn() {
    const kr = WincredKeyring.open();
    const key = `aws-okta-test-${crypto.randomUUID()} \u{1F511}`;
    try {
      const data = new TextEncoder().encode(`{"Username":"u","Password":"p"}`);
      await kr.set({ key, data, label: "okta credentials" });
      assert.deepEqual(await kr.get(key), { key, data, label: "okta credentials" });
      assert.ok((await kr.keys()).includes(key));
      await kr.set({ key, data: new Uint8Array([1, 2, 3]) });
      assert.deepEqual((await kr.get(key)).data, new Uint8Array([1, 2, 3]));
      await assert.rejects(kr.set({ key, data: new Uint8Array(MAX_BLOB_BYTES + 1) }), KeyringError);

      // An item as Go aws-okta wrote it: the raw bytes as blob, no comment, same target.
      const advapi = Deno.dlopen("advapi32.dll", {
        CredWriteW: { parameters: ["buffer", "u32"], result: "i32" },
      });
      try {
        const goItem = buildCredential(
          targetName(`${key}-go`),
          new TextEncoder().encode("go session cookie"),
        );
        assert.equal(advapi.symbols.CredWriteW(goItem.struct, 0), 1);
      } finally {
        advapi.close();
      }
      assert.equal(new TextDecoder().decode((await kr.get(`${key}-go`)).data), "go session cookie");

      // Another process reads what this one wrote, as the next aws-okta run will.
      const reader = `import { WincredKeyring } from ${
        JSON.stringify(new URL("./wincred.ts", import.meta.url).href)
      };
const kr = WincredKeyring.open();
const item = await kr.get(Deno.args[0]);
console.log(JSON.stringify({ data: new TextDecoder().decode(item.data), label: item.label ?? null, listed: (await kr.keys()).includes(Deno.args[0]) }));`;
      await kr.set({ key, data: new TextEncoder().encode("from the parent"), label: "shared" });
      const child = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--quiet", reader, key],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(child.code, 0, new TextDecoder().decode(child.stderr));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(child.stdout)), {
        data: "from the parent",
        label: "shared",
        listed: true,
      });

      // Windows' own tool sees the target we wrote (Wine has no cmdkey).
      if (findExecutable("cmdkey")) {
        const listing = await new Deno.Command("cmdkey", { args: [`/list:${TARGET_PREFIX}*`] }).output();
        assert.ok(new TextDecoder().decode(listing.stdout).includes("aws-okta-test-"));
      }
    } finally {
      await kr.remove(key);
      await kr.remove(`${key}-go`);
    }
    await assert.rejects(kr.get(key), KeyNotFoundError);
    await kr.remove(key);
  },
});
