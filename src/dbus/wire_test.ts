import assert from "node:assert/strict";
import {
  type DBusMessage,
  DBusWireError,
  decodeMessage,
  encodeMessage,
  marshal,
  messageLength,
  MessageType,
  splitSignature,
  unmarshal,
} from "./wire.ts";

Deno.test("splitSignature splits into complete types", () => {
  assert.deepEqual(splitSignature("sa{sv}i(oayays)aas"), ["s", "a{sv}", "i", "(oayays)", "aas"]);
  assert.deepEqual(splitSignature(""), []);
  assert.throws(() => splitSignature("a"), DBusWireError);
  assert.throws(() => splitSignature("(si"), DBusWireError);
  assert.throws(() => splitSignature("h"), DBusWireError);
});

Deno.test("marshal aligns values as the specification requires", () => {
  // y, then padding to 4 for u, then u; then padding to 8 for x.
  const bytes = marshal("yux", [7, 0x01020304, 5n]);
  assert.deepEqual([...bytes], [7, 0, 0, 0, 4, 3, 2, 1, 5, 0, 0, 0, 0, 0, 0, 0]);
  // A string: u32 length, bytes, NUL.
  assert.deepEqual([...marshal("s", ["hé"])], [3, 0, 0, 0, 0x68, 0xc3, 0xa9, 0]);
  // A signature: one length byte.
  assert.deepEqual([...marshal("g", ["as"])], [2, 0x61, 0x73, 0]);
  // An array of x: length excludes the padding between the length and the first element.
  assert.deepEqual([...marshal("ax", [[1n]])], [8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  // An empty array of structs still pads to the element alignment.
  assert.deepEqual([...marshal("a(y)", [[]])], [0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("values of every supported type survive a round trip", () => {
  const signature = "ybnqiuxtdsoga{sv}(ias)ayv";
  const values = [
    255,
    true,
    -2,
    65535,
    -123456,
    4294967295,
    -(2n ** 62n),
    2n ** 64n - 1n,
    1.5,
    "text ✓",
    "/org/freedesktop/secrets",
    "a{sv}",
    new Map([["Label", { signature: "s", value: "aws-okta" }], ["n", { signature: "u", value: 3 }]]),
    [1, ["a", "b"]],
    new Uint8Array([0, 1, 2, 255]),
    { signature: "as", value: ["x"] },
  ];
  assert.deepEqual(unmarshal(signature, marshal(signature, values)), values);
});

Deno.test("big-endian bodies are read too", () => {
  const bytes = new Uint8Array([0, 0, 0, 2, 0x68, 0x69, 0, 0, 0, 0, 0, 7]);
  assert.deepEqual(unmarshal("su", bytes, false), ["hi", 7]);
});

Deno.test("marshal rejects values that do not fit the signature", () => {
  assert.throws(() => marshal("s", [1]), DBusWireError);
  assert.throws(() => marshal("ay", [[1, 2]]), DBusWireError);
  assert.throws(() => marshal("a{ss}", [[["a", "b"]]]), DBusWireError);
  assert.throws(() => marshal("(ss)", [["a"]]), DBusWireError);
  assert.throws(() => marshal("ss", ["only one"]), DBusWireError);
});

Deno.test("unmarshal rejects malformed bodies", () => {
  assert.throws(() => unmarshal("s", new Uint8Array([5, 0, 0, 0, 0x61])), DBusWireError); // truncated
  assert.throws(() => unmarshal("s", new Uint8Array([1, 0, 0, 0, 0x61, 1])), DBusWireError); // no NUL
  assert.throws(() => unmarshal("b", new Uint8Array([2, 0, 0, 0])), DBusWireError);
  assert.throws(() => unmarshal("s", new Uint8Array([1, 0, 0, 0, 0xff, 0])), DBusWireError); // not UTF-8
  assert.throws(() => unmarshal("y", new Uint8Array([1, 2])), DBusWireError); // trailing bytes
  assert.throws(() => unmarshal("v", new Uint8Array([2, 0x73, 0x73, 0])), DBusWireError); // two types
});

Deno.test("messages round-trip with their header fields", () => {
  const message: DBusMessage = {
    type: MessageType.METHOD_CALL,
    flags: 0,
    serial: 9,
    destination: "org.kde.kwalletd6",
    path: "/modules/kwalletd6",
    interface: "org.kde.KWallet",
    member: "readEntry",
    signature: "isss",
    body: [3, "keyring", "okta-creds", "aws-okta"],
  };
  const bytes = encodeMessage(message);
  assert.equal(messageLength(bytes), bytes.length);
  assert.equal(messageLength(bytes.subarray(0, 15)), undefined);
  assert.deepEqual(decodeMessage(bytes), message);
});

Deno.test("messageLength rejects a bad byte-order mark and oversized messages", () => {
  const header = new Uint8Array(16);
  header[0] = 0x58;
  assert.throws(() => messageLength(header), DBusWireError);
  header[0] = 0x6c;
  new DataView(header.buffer).setUint32(4, 0x7fffffff, true);
  assert.throws(() => messageLength(header), DBusWireError);
});
