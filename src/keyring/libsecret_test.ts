import assert from "node:assert/strict";
import { cString } from "./ffi.ts";
import {
  buildSchema,
  listData,
  readGError,
  SCHEMA_SIZE,
  SECRET_SCHEMA_DONT_MATCH_NAME,
} from "./libsecret.ts";
import { itemAttributes, itemLabel, legacyAttributes } from "./secret_service.ts";

const addressOf = (bytes: Uint8Array<ArrayBuffer>) =>
  BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));

Deno.test("buildSchema lays out SecretSchema as libsecret's LP64 ABI has it", () => {
  const schema = buildSchema("org.aws-okta.Item", SECRET_SCHEMA_DONT_MATCH_NAME, [
    "service",
    "key",
    "profile",
  ]);
  assert.equal(schema.struct.length, SCHEMA_SIZE);
  assert.equal(SCHEMA_SIZE, 592); // 8 name + 4 flags + 4 pad + 32 * 16 attributes + 8 reserved + 7 * 8 pointers
  const view = new DataView(schema.struct.buffer);
  const [name, service, key, profile] = schema.strings;
  assert.equal(view.getBigUint64(0, true), addressOf(name!));
  assert.equal(view.getInt32(8, true), 2);
  for (const [i, bytes] of [service, key, profile].entries()) {
    assert.equal(view.getBigUint64(16 + i * 16, true), addressOf(bytes!));
    assert.equal(view.getInt32(24 + i * 16, true), 0); // SECRET_SCHEMA_ATTRIBUTE_STRING
  }
  // The slot after the last attribute is the terminator; the rest stays zero.
  assert.ok(schema.struct.subarray(16 + 3 * 16).every((b) => b === 0));
  assert.equal(Deno.UnsafePointerView.getCString(Deno.UnsafePointer.of(name!)!), "org.aws-okta.Item");
  assert.throws(() => buildSchema("x", 0, Array.from({ length: 32 }, (_, i) => `a${i}`)));
});

Deno.test("cString appends one NUL", () => {
  assert.deepEqual([...cString("ké")], [0x6b, 0xc3, 0xa9, 0]);
});

Deno.test("readGError reads domain, code and the message pointer at offset 8", () => {
  const message = cString("Cannot autolaunch D-Bus without X11 $DISPLAY");
  const error = new Uint8Array(16);
  const view = new DataView(error.buffer);
  view.setUint32(0, 135, true);
  view.setInt32(4, -3, true);
  view.setBigUint64(8, addressOf(message), true);
  assert.deepEqual(readGError(Deno.UnsafePointer.of(error)!), {
    domain: 135,
    code: -3,
    message: "Cannot autolaunch D-Bus without X11 $DISPLAY",
  });
});

Deno.test("listData walks a GList through data (offset 0) and next (offset 8)", () => {
  const [a, b] = [new Uint8Array(1), new Uint8Array(1)];
  const second = new Uint8Array(24);
  const first = new Uint8Array(24);
  new DataView(second.buffer).setBigUint64(0, addressOf(b), true);
  new DataView(first.buffer).setBigUint64(0, addressOf(a), true);
  new DataView(first.buffer).setBigUint64(8, addressOf(second), true);
  const items = listData(Deno.UnsafePointer.of(first)).map((p) => BigInt(Deno.UnsafePointer.value(p)));
  assert.deepEqual(items, [addressOf(a), addressOf(b)]);
  assert.deepEqual(listData(null), []);
});

Deno.test("secret-service items are labelled and attributed for people and for Go aws-okta's items", () => {
  assert.deepEqual(itemAttributes("okta-creds"), { service: "aws-okta-login", key: "okta-creds" });
  assert.deepEqual(legacyAttributes("okta-creds"), { profile: "okta-creds" });
  assert.equal(
    itemLabel({ key: "okta-creds", data: new Uint8Array(), label: "okta credentials" }),
    "aws-okta: okta credentials",
  );
  assert.equal(itemLabel({ key: "session-cache", data: new Uint8Array() }), "aws-okta: session-cache");
});
