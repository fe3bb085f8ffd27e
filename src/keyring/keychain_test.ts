import assert from "node:assert/strict";
import { KeyNotFoundError } from "./keyring.ts";
import {
  KeychainKeyring,
  keychainQuery,
  OSStatus,
  osStatusHint,
  osStatusText,
  pointerArray,
  SEC_CONSTANT_NAMES,
} from "./keychain.ts";

Deno.test("get asks for one generic password by service and account, with its data and attributes", () => {
  assert.deepEqual(keychainQuery("get", "okta-creds"), [
    ["kSecClass", { constant: "kSecClassGenericPassword" }],
    ["kSecAttrService", { string: "aws-okta-login" }],
    ["kSecAttrAccount", { string: "okta-creds" }],
    ["kSecMatchLimit", { constant: "kSecMatchLimitOne" }],
    ["kSecReturnData", { boolean: true }],
    ["kSecReturnAttributes", { boolean: true }],
  ]);
});

Deno.test("add stores the raw bytes with Go aws-okta's label", () => {
  const data = new TextEncoder().encode("sid");
  assert.deepEqual(
    keychainQuery("add", "okta-session-cookie", { key: "okta-session-cookie", data, label: "cookie" }),
    [
      ["kSecClass", { constant: "kSecClassGenericPassword" }],
      ["kSecAttrService", { string: "aws-okta-login" }],
      ["kSecAttrAccount", { string: "okta-session-cookie" }],
      ["kSecAttrLabel", { string: "cookie" }],
      ["kSecValueData", { data }],
    ],
  );
  const described = keychainQuery("add", "k", { key: "k", data, description: "aws session" });
  assert.deepEqual(described.slice(3), [
    ["kSecAttrLabel", { string: "k" }],
    ["kSecValueData", { data }],
    ["kSecAttrDescription", { string: "aws session" }],
  ]);
});

Deno.test("update matches without limits or return keys (SecItemUpdate refuses them)", () => {
  const match = keychainQuery("match", "k");
  assert.deepEqual(match.map(([name]) => name), ["kSecClass", "kSecAttrService", "kSecAttrAccount"]);
  const data = new Uint8Array([1]);
  assert.deepEqual(keychainQuery("update", "k", { key: "k", data }), [
    ["kSecAttrLabel", { string: "k" }],
    ["kSecValueData", { data }],
  ]);
});

Deno.test("list returns every item's attributes for our service", () => {
  assert.deepEqual(keychainQuery("list"), [
    ["kSecClass", { constant: "kSecClassGenericPassword" }],
    ["kSecAttrService", { string: "aws-okta-login" }],
    ["kSecMatchLimit", { constant: "kSecMatchLimitAll" }],
    ["kSecReturnAttributes", { boolean: true }],
  ]);
});

Deno.test("every constant a query uses is one the framework is asked for", () => {
  const used = new Set<string>();
  const data = new Uint8Array(0);
  for (const kind of ["get", "match", "add", "update", "list"] as const) {
    for (const [name, value] of keychainQuery(kind, "k", { key: "k", data, description: "d" })) {
      used.add(name);
      if ("constant" in value) used.add(value.constant);
    }
  }
  for (const name of used) assert.ok((SEC_CONSTANT_NAMES as readonly string[]).includes(name), name);
});

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

Deno.test("OSStatus failures read as people would say them", () => {
  assert.match(osStatusText(OSStatus.interactionNotAllowed), /locked/);
  assert.match(osStatusHint(OSStatus.interactionNotAllowed), /security unlock-keychain/);
  assert.match(osStatusText(OSStatus.userCanceled), /denied/);
  assert.equal(osStatusText(-1), "OSStatus -1");
});

Deno.test({
  name: "the keychain is refused anywhere but macOS",
  ignore: Deno.build.os === "darwin",
  fn() {
    assert.throws(() => KeychainKeyring.open(), /keychain keyring unavailable: macOS only/);
  },
});

async function security(args: string[]): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command("security", { args, stdout: "piped", stderr: "piped" }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

// The real Keychain: runs on the macOS job of the GitHub workflow.
Deno.test({
  name: "keychain keyring against the macOS Keychain",
  ignore: Deno.build.os !== "darwin",
  async fn() {
    const kr = KeychainKeyring.open();
    const key = `aws-okta-test-${crypto.randomUUID()}`;
    const goKey = `${key}-go`;
    try {
      const data = new TextEncoder().encode(`{"Username":"u","Password":"p"}`);
      await kr.set({ key, data, label: "okta credentials" });
      assert.deepEqual(await kr.get(key), { key, data, label: "okta credentials" });
      await kr.set({ key, data: new Uint8Array([1, 2, 3]), label: "okta credentials" });
      assert.deepEqual((await kr.get(key)).data, new Uint8Array([1, 2, 3]));
      assert.ok((await kr.keys()).includes(key));
      // The item is where Go aws-okta kept it: `security` finds it by service and account.
      const found = await security(["find-generic-password", "-s", "aws-okta-login", "-a", key]);
      assert.equal(found.code, 0);
      assert.match(found.stdout, /"labl"<blob>="okta credentials"/);

      // An item laid out as Go aws-okta wrote it (raw bytes, same service/account), readable by any app.
      const added = await security([
        "add-generic-password",
        "-A",
        "-s",
        "aws-okta-login",
        "-a",
        goKey,
        "-w",
        "go-cookie",
      ]);
      assert.equal(added.code, 0);
      assert.equal(new TextDecoder().decode((await kr.get(goKey)).data), "go-cookie");
    } finally {
      await kr.remove(key);
      await kr.remove(goKey);
    }
    await assert.rejects(kr.get(key), KeyNotFoundError);
    await kr.remove(key);
  },
});
