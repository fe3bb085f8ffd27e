import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeKeyFileName, encodeKeyFileName, tempFileName } from "./file_name.ts";

Deno.test("encodeKeyFileName escapes only '/' and '%', like percent.Encode(key, \"/\")", () => {
  assert.equal(encodeKeyFileName("okta-creds"), "okta-creds");
  assert.equal(encodeKeyFileName("a/b%c"), "a%2Fb%25c");
  assert.equal(encodeKeyFileName("%2F"), "%252F");
  assert.equal(
    encodeKeyFileName("okta-dev session (0123456789abcdef0123)"),
    "okta-dev session (0123456789abcdef0123)",
  );
  assert.equal(
    encodeKeyFileName("oidc:https://x.awsapps.com/start"),
    "oidc:https:%2F%2Fx.awsapps.com%2Fstart",
  );
});

Deno.test("decodeKeyFileName inverts encodeKeyFileName for every key", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (key) => decodeKeyFileName(encodeKeyFileName(key)) === key),
  );
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z%/]{0,12}$/),
      (key) => decodeKeyFileName(encodeKeyFileName(key)) === key,
    ),
  );
});

Deno.test("decodeKeyFileName accepts lower-case hex and rejects names no key encodes to", () => {
  assert.equal(decodeKeyFileName("a%2fb"), "a/b");
  for (const name of ["%", "a%2", "%41", "%zz", "x%tmp-00"]) {
    assert.equal(decodeKeyFileName(name), undefined, name);
  }
});

Deno.test("temp file names never decode to a key", () => {
  const names = new Set(Array.from({ length: 50 }, () => tempFileName()));
  assert.equal(names.size, 50);
  for (const name of names) {
    assert.match(name, /^%tmp-[0-9a-f]{16}$/);
    assert.equal(decodeKeyFileName(name), undefined);
  }
});
