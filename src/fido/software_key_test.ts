import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { generateSoftwareKey, SoftwareSecurityKey } from "./software_key.ts";

/** DER ECDSA → raw r || s, written independently of the code under test. */
function rawSignature(der: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(64);
  let offset = 2;
  for (const half of [0, 32]) {
    const length = der[offset + 1]!;
    const value = der.subarray(offset + 2, offset + 2 + length);
    const trimmed = value.length > 32 ? value.subarray(value.length - 32) : value;
    out.set(trimmed, half + 32 - trimmed.length);
    offset += 2 + length;
  }
  return out;
}

async function keyFile(content: unknown): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".jwk" });
  await Deno.writeTextFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

Deno.test("software key: a WebAuthn assertion that WebCrypto verifies with the public key", async () => {
  const pair = await generateSoftwareKey();
  const path = await keyFile(pair.privateJwk);
  try {
    const key = await SoftwareSecurityKey.load(path);
    const clientDataHash = crypto.getRandomValues(new Uint8Array(32));
    const id = Uint8Array.fromBase64(pair.credentialId, { alphabet: "base64url" });
    const assertion = await key.getAssertion({
      rpId: "acme.okta.com",
      clientDataHash,
      allowCredentialIds: [new Uint8Array(16), id],
      userVerification: "required",
    });
    assert.deepEqual(assertion.credentialId, id);
    assert.equal(assertion.authenticatorData[32], 0x05, "user present and verified");
    const publicKey = await crypto.subtle.importKey(
      "jwk",
      pair.publicJwk,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      [
        "verify",
      ],
    );
    const signed = new Uint8Array([...assertion.authenticatorData, ...clientDataHash]);
    assert.ok(
      await crypto.subtle.verify(
        { name: "ECDSA", hash: "SHA-256" },
        publicKey,
        rawSignature(assertion.signature),
        signed,
      ),
    );
    const discouraged = await key.getAssertion({
      rpId: "acme.okta.com",
      clientDataHash,
      allowCredentialIds: [],
      userVerification: "discouraged",
    });
    assert.equal(discouraged.authenticatorData[32], 0x01, "user present only");
    await assert.rejects(
      key.getAssertion({
        rpId: "x",
        clientDataHash,
        allowCredentialIds: [new Uint8Array(8)],
        userVerification: "discouraged",
      }),
      /holds none of the credentials Okta allows/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("software key: a missing or malformed file is an AppError naming it", async () => {
  await assert.rejects(SoftwareSecurityKey.load("/nonexistent/key.jwk"), (error) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.message, 'cannot read the software security key "/nonexistent/key.jwk"');
    assert.match(error.hint ?? "", /AWS_OKTA_FIDO_SOFTWARE_KEY/);
    return true;
  });
  const pair = await generateSoftwareKey();
  const { kid: _kid, ...noKid } = pair.privateJwk;
  for (
    const content of ["not json", pair.publicJwk, noKid, { ...pair.privateJwk, kid: "%%" }, {
      ...pair.privateJwk,
      d: "AAAA",
    }]
  ) {
    const path = await keyFile(content);
    try {
      await assert.rejects(SoftwareSecurityKey.load(path), AppError);
    } finally {
      await Deno.remove(path);
    }
  }
});
