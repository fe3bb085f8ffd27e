import assert from "node:assert/strict";
import { keychainQuery, OSStatus, osStatusHint, osStatusText, SEC_CONSTANT_NAMES } from "./keychain_query.ts";

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

Deno.test("OSStatus failures read as people would say them", () => {
  assert.match(osStatusText(OSStatus.interactionNotAllowed), /locked/);
  assert.match(osStatusHint(OSStatus.interactionNotAllowed), /security unlock-keychain/);
  assert.match(osStatusText(OSStatus.userCanceled), /denied/);
  assert.equal(osStatusText(-1), "OSStatus -1");
});
