import assert from "node:assert/strict";
import { compactDecrypt, CompactEncrypt } from "jose";
import { decryptJwe, encryptJwe, JweError, type JweErrorKind, MAX_P2C, parseJwe } from "./jwe.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function b64url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

function headerOf(token: string): Record<string, unknown> {
  const part = token.split(".")[0] ?? "";
  return JSON.parse(decoder.decode(Uint8Array.fromBase64(part, { alphabet: "base64url" })));
}

/** Replaces the protected header of `token` (which breaks its AAD, unless only parsing is tested). */
function withHeader(token: string, header: Record<string, unknown>): string {
  const parts = token.split(".");
  parts[0] = b64url(encoder.encode(JSON.stringify(header)));
  return parts.join(".");
}

function withPart(token: string, index: number, value: string): string {
  const parts = token.split(".");
  parts[index] = value;
  return parts.join(".");
}

async function joseEncrypt(plaintext: string, passphrase: string, p2c = 8192): Promise<string> {
  return await new CompactEncrypt(encoder.encode(plaintext))
    .setProtectedHeader({
      alg: "PBES2-HS256+A128KW",
      enc: "A256GCM",
      created: "2021-01-04 17:36:03 +0000 UTC",
    })
    .setKeyManagementParameters({ p2c, p2s: crypto.getRandomValues(new Uint8Array(12)) })
    .encrypt(encoder.encode(passphrase));
}

async function rejectsWith(promise: Promise<unknown>, kind: JweErrorKind): Promise<JweError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof JweError, `expected JweError, got ${error}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a JweError of kind "${kind}"`);
}

function throwsFormat(token: string, pattern: RegExp): void {
  assert.throws(() => parseJwe(token), (error: unknown) => {
    assert.ok(error instanceof JweError);
    assert.equal(error.kind, "format");
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("encryptJwe output decrypts back to the plaintext", async () => {
  for (const [plaintext, passphrase] of [["hello", "pw"], ["", ""], ["ünïcødé ✓", "pässwörd 🔑"]] as const) {
    const token = await encryptJwe(encoder.encode(plaintext), passphrase);
    const out = await decryptJwe(parseJwe(token), passphrase);
    assert.equal(decoder.decode(out), plaintext);
  }
});

Deno.test("encryptJwe writes jose2go's header: sorted keys, p2c 8192, 12-byte salt, created", async () => {
  const token = await encryptJwe(encoder.encode("x"), "pw", { created: "2024-01-02 03:04:05 +0000 UTC" });
  const header = headerOf(token);
  assert.deepEqual(Object.keys(header), ["alg", "created", "enc", "p2c", "p2s"]);
  assert.equal(header.alg, "PBES2-HS256+A128KW");
  assert.equal(header.enc, "A256GCM");
  assert.equal(header.p2c, 8192);
  assert.equal(header.created, "2024-01-02 03:04:05 +0000 UTC");
  assert.equal(Uint8Array.fromBase64(header.p2s as string, { alphabet: "base64url" }).length, 12);
  const parsed = parseJwe(token);
  assert.equal(parsed.encryptedKey.length, 40);
  assert.equal(parsed.iv.length, 12);
  assert.equal(parsed.tag.length, 16);
});

Deno.test("each encryption uses a fresh salt, IV and content key", async () => {
  const a = await encryptJwe(encoder.encode("same"), "pw");
  const b = await encryptJwe(encoder.encode("same"), "pw");
  const [pa, pb] = [parseJwe(a), parseJwe(b)];
  assert.notDeepEqual(pa.p2s, pb.p2s);
  assert.notDeepEqual(pa.iv, pb.iv);
  assert.notDeepEqual(pa.encryptedKey, pb.encryptedKey);
});

Deno.test("jose decrypts tokens we write", async () => {
  const token = await encryptJwe(encoder.encode(`{"Key":"k"}`), "s3cret", { created: "now" });
  const { plaintext, protectedHeader } = await compactDecrypt(token, encoder.encode("s3cret"), {
    keyManagementAlgorithms: ["PBES2-HS256+A128KW"],
  });
  assert.equal(decoder.decode(plaintext), `{"Key":"k"}`);
  assert.equal(protectedHeader.created, "now");
  assert.equal(protectedHeader.p2c, 8192);
});

Deno.test("we decrypt tokens jose writes, at the header's iteration count", async () => {
  for (const p2c of [8192, 20000]) {
    const token = await joseEncrypt(`payload ${p2c}`, "s3cret", p2c);
    assert.equal(decoder.decode(await decryptJwe(parseJwe(token), "s3cret")), `payload ${p2c}`);
  }
});

Deno.test("a wrong passphrase fails the key unwrap", async () => {
  const ours = await encryptJwe(encoder.encode("x"), "right");
  await rejectsWith(decryptJwe(parseJwe(ours), "wrong"), "key");
  const theirs = await joseEncrypt("x", "right");
  await rejectsWith(decryptJwe(parseJwe(theirs), ""), "key");
});

Deno.test("altered content or header fails authentication", async () => {
  const token = await encryptJwe(encoder.encode("some secret payload"), "pw", { created: "a" });
  const parts = token.split(".");
  const ciphertext = Uint8Array.fromBase64(parts[3] ?? "", { alphabet: "base64url" });
  ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
  await rejectsWith(decryptJwe(parseJwe(withPart(token, 3, b64url(ciphertext))), "pw"), "integrity");

  const tag = Uint8Array.fromBase64(parts[4] ?? "", { alphabet: "base64url" });
  tag[15] = (tag[15] ?? 0) ^ 0x80;
  await rejectsWith(decryptJwe(parseJwe(withPart(token, 4, b64url(tag))), "pw"), "integrity");

  // Same salt and count, so the key still unwraps; only the AAD differs.
  const header = { ...headerOf(token), created: "b" };
  await rejectsWith(decryptJwe(parseJwe(withHeader(token, header)), "pw"), "integrity");
});

Deno.test("parseJwe rejects tokens that are not our JWE flavour", async () => {
  const token = await encryptJwe(encoder.encode("x"), "pw");
  const header = headerOf(token);
  throwsFormat("", /1 parts instead of 5/);
  throwsFormat(token.split(".").slice(0, 4).join("."), /4 parts instead of 5/);
  throwsFormat(token.slice(0, token.length / 2), /parts instead of 5|base64url|bytes instead/);
  throwsFormat(withPart(token, 0, "!!!"), /protected header is not base64url/);
  throwsFormat(withPart(token, 0, b64url(encoder.encode("not json"))), /protected header is not JSON/);
  throwsFormat(withPart(token, 0, b64url(encoder.encode("[1]"))), /not a JSON object/);
  throwsFormat(withHeader(token, { ...header, alg: "dir" }), /unsupported algorithm "dir"/);
  throwsFormat(withHeader(token, { ...header, alg: "PBES2-HS512+A256KW" }), /unsupported algorithm/);
  throwsFormat(withHeader(token, { ...header, enc: "A128GCM" }), /unsupported encryption "A128GCM"/);
  throwsFormat(withHeader(token, { ...header, zip: "DEF" }), /compressed/);
  throwsFormat(withHeader(token, { ...header, p2c: undefined }), /invalid "p2c"/);
  throwsFormat(withHeader(token, { ...header, p2c: 0 }), /invalid "p2c"/);
  throwsFormat(withHeader(token, { ...header, p2c: 1.5 }), /invalid "p2c"/);
  throwsFormat(withHeader(token, { ...header, p2c: "8192" }), /invalid "p2c"/);
  throwsFormat(withHeader(token, { ...header, p2c: MAX_P2C + 1 }), /invalid "p2c"/);
  throwsFormat(withHeader(token, { ...header, p2s: undefined }), /missing "p2s"/);
  throwsFormat(withHeader(token, { ...header, p2s: "a+b/" }), /"p2s" header is not base64url/);
  throwsFormat(withPart(token, 1, b64url(new Uint8Array(32))), /encrypted key is 32 bytes instead of 40/);
  throwsFormat(withPart(token, 2, b64url(new Uint8Array(16))), /IV is 16 bytes instead of 12/);
  throwsFormat(withPart(token, 3, "a b"), /ciphertext is not base64url/);
  throwsFormat(withPart(token, 4, b64url(new Uint8Array(8))), /authentication tag is 8 bytes instead of 16/);
  // The largest count jose2go accepts still parses.
  assert.equal(parseJwe(withHeader(token, { ...header, p2c: MAX_P2C })).p2c, MAX_P2C);
});

Deno.test("parseJwe tolerates surrounding whitespace (a hand-edited file)", async () => {
  const token = await encryptJwe(encoder.encode("x"), "pw");
  assert.equal(decoder.decode(await decryptJwe(parseJwe(`${token}\n`), "pw")), "x");
});
