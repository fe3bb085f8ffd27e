import assert from "node:assert/strict";
import { AppError, formatError } from "../errors.ts";
import { generateKeyPairSync } from "node:crypto";
import { importPrivateKey, signJwt } from "./private_key.ts";

const KEYS = new URL("../../tests/fixtures/keys/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, KEYS));

function pemBytes(pem: string): Uint8Array {
  return Uint8Array.fromBase64(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""));
}

const VERIFY: Record<string, [RsaHashedImportParams | EcKeyImportParams, AlgorithmIdentifier | EcdsaParams]> =
  {
    RS256: [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, "RSASSA-PKCS1-v1_5"],
    ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
    ES384: [{ name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
    ES512: [{ name: "ECDSA", namedCurve: "P-521" }, { name: "ECDSA", hash: "SHA-512" }],
  };

/** Verifies a compact JWS with an SPKI public key made by openssl. */
async function verify(jwt: string, publicPem: string, alg: string): Promise<boolean> {
  const [importParams, verifyParams] = VERIFY[alg]!;
  const key = await crypto.subtle.importKey(
    "spki",
    pemBytes(publicPem) as Uint8Array<ArrayBuffer>,
    importParams,
    false,
    ["verify"],
  );
  const [header, payload, signature] = jwt.split(".");
  return await crypto.subtle.verify(
    verifyParams,
    key,
    Uint8Array.fromBase64(signature!, { alphabet: "base64url" }) as Uint8Array<ArrayBuffer>,
    new TextEncoder().encode(`${header}.${payload}`),
  );
}

for (
  const [file, publicFile, alg] of [
    ["rsa_pkcs1.pem", "rsa_public.pem", "RS256"],
    ["rsa_pkcs8.pem", "rsa_public.pem", "RS256"],
    ["ec_p256_sec1.pem", "ec_p256_public.pem", "ES256"],
    ["ec_p384_pkcs8.pem", "ec_p384_public.pem", "ES384"],
    ["ec_p521_sec1.pem", "ec_p521_public.pem", "ES512"],
  ] as const
) {
  Deno.test(`private key: ${file} signs ${alg} JWTs that openssl's public key verifies`, async () => {
    const signing = await importPrivateKey(await read(file));
    assert.equal(signing.alg, alg);
    const jwt = await signJwt(signing, { iss: "client", n: 1 }, "kid-1");
    const header = JSON.parse(
      new TextDecoder().decode(Uint8Array.fromBase64(jwt.split(".")[0]!, { alphabet: "base64url" })),
    );
    assert.deepEqual(header, { alg, typ: "JWT", kid: "kid-1" });
    assert.ok(await verify(jwt, await read(publicFile), alg));
    // A changed payload no longer verifies: the check above can fail.
    const [h, , s] = jwt.split(".");
    assert.ok(
      !(await verify(
        `${h}.${
          new TextEncoder().encode('{"iss":"other"}').toBase64({ alphabet: "base64url", omitPadding: true })
        }.${s}`,
        await read(publicFile),
        alg,
      )),
    );
  });
}

Deno.test("private key: literal \\n line breaks (environment variables) are accepted", async () => {
  const pem = (await read("ec_p256_sec1.pem")).trim().replace(/\n/g, "\\n");
  assert.equal((await importPrivateKey(pem)).alg, "ES256");
});

Deno.test("private key: bad input is one clear error without key material", async () => {
  const cases: [string, RegExp][] = [
    ["not a key", /not in PEM form/],
    ["-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----", /is encrypted/],
    ["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", /unsupported PEM block "CERTIFICATE"/],
    [
      "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
      /cannot read the "RSA PRIVATE KEY" private key/,
    ],
    ["-----BEGIN EC PRIVATE KEY-----\n!!!\n-----END EC PRIVATE KEY-----", /not valid base64/],
  ];
  for (const [pem, pattern] of cases) {
    await assert.rejects(importPrivateKey(pem), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.match(error.message, pattern);
      return true;
    });
  }
  const ed25519 = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" });
  const secp256k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey
    .export({ format: "pem", type: "sec1" });
  for (
    const [pem, message] of [
      [ed25519, 'unsupported key algorithm "ed25519"; use an RSA or EC key'],
      [secp256k1, 'unsupported EC curve "secp256k1"; use a P-256, P-384 or P-521 key'],
    ]
  ) {
    await assert.rejects(importPrivateKey(String(pem)), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(formatError(error), message);
      return true;
    });
  }
  const real = await read("rsa_pkcs1.pem");
  const body = real.split("\n")[1]!;
  const truncated = real.split("\n").slice(0, 5).join("\n") + "\n-----END RSA PRIVATE KEY-----";
  await assert.rejects(importPrivateKey(truncated), (error: unknown) => {
    assert.ok(error instanceof AppError && !error.message.includes(body.slice(0, 16)));
    return true;
  });
});
