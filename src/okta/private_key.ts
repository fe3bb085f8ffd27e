/**
 * Private keys for `private_key_jwt` client authentication: PEM "RSA PRIVATE KEY" (PKCS#1),
 * "PRIVATE KEY" (PKCS#8, RSA or EC) and "EC PRIVATE KEY" (SEC1). `node:crypto` reads all three
 * and re-exports them as PKCS#8, the one form WebCrypto imports; it is loaded only here, when an
 * m2m login reads its key, so the cached credential_process path never pays for Node's layer.
 *
 * RSA keys sign RS256; EC keys sign ES256, ES384 or ES512 by their curve (P-256, P-384, P-521).
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** A key ready to sign JWTs. */
export interface SigningKey {
  /** JWS algorithm. */
  alg: "RS256" | "ES256" | "ES384" | "ES512";
  /** The WebCrypto key (not extractable). */
  key: CryptoKey;
}

/** node:crypto's curve names → WebCrypto's, and the JWS algorithm each signs. */
const CURVES: Record<string, { namedCurve: string; alg: SigningKey["alg"] }> = {
  prime256v1: { namedCurve: "P-256", alg: "ES256" },
  secp384r1: { namedCurve: "P-384", alg: "ES384" },
  secp521r1: { namedCurve: "P-521", alg: "ES512" },
};

/** The PEM labels of PKCS#1, PKCS#8 and SEC1 private keys. */
const PEM_LABELS = new Set(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"]);

const KEY_HINT = 'use an unencrypted PEM key ("RSA PRIVATE KEY", "PRIVATE KEY" or "EC PRIVATE KEY")';

/**
 * Imports a PEM private key. Literal "\n" sequences (as in an environment variable) are read as
 * line breaks, as okta-aws-cli does.
 *
 * @throws {AppError} for anything that is not one of the three unencrypted PEM forms; the message
 *   never includes key material.
 */
export async function importPrivateKey(pem: string): Promise<SigningKey> {
  const text = pem.replace(/\\n/g, "\n");
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  if (!match) throw new AppError("the private key is not in PEM form", { hint: KEY_HINT });
  const label = match[1]!;
  if (label === "ENCRYPTED PRIVATE KEY") {
    throw new AppError("the private key is encrypted", {
      hint: "decrypt it first, e.g. openssl pkcs8 -in key.pem -out plain.pem",
    });
  }
  if (!PEM_LABELS.has(label)) throw new AppError(`unsupported PEM block "${label}"`, { hint: KEY_HINT });
  try {
    Uint8Array.fromBase64(match[2]!.replace(/\s+/g, ""));
  } catch {
    throw new AppError(`the "${label}" PEM block is not valid base64`, { hint: KEY_HINT });
  }
  const { createPrivateKey } = await import("node:crypto");
  let keyObject;
  try {
    keyObject = createPrivateKey({ key: match[0], format: "pem" });
  } catch {
    // OpenSSL's reason ("DECODER routines::unsupported") would tell the user nothing more.
    throw new AppError(`cannot read the "${label}" private key: it is malformed or truncated`, {
      hint: KEY_HINT,
    });
  }
  const pkcs8 = new Uint8Array(keyObject.export({ format: "der", type: "pkcs8" }));
  if (keyObject.asymmetricKeyType === "rsa") {
    return { alg: "RS256", key: await importPkcs8(pkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }) };
  }
  if (keyObject.asymmetricKeyType !== "ec") {
    throw new AppError(`unsupported key algorithm "${keyObject.asymmetricKeyType}"`, {
      hint: "use an RSA or EC key",
    });
  }
  const curveName = keyObject.asymmetricKeyDetails?.namedCurve ?? "";
  const curve = CURVES[curveName];
  if (!curve) {
    throw new AppError(`unsupported EC curve "${curveName}"`, { hint: "use a P-256, P-384 or P-521 key" });
  }
  return { alg: curve.alg, key: await importPkcs8(pkcs8, { name: "ECDSA", namedCurve: curve.namedCurve }) };
}

async function importPkcs8(
  der: Uint8Array<ArrayBuffer>,
  algorithm: RsaHashedImportParams | EcKeyImportParams,
) {
  try {
    return await crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
  } finally {
    der.fill(0);
  }
}

/** Signs `claims` as a compact JWS with `kid` in the header. */
export async function signJwt(
  signing: SigningKey,
  claims: Record<string, unknown>,
  kid?: string,
): Promise<string> {
  const header: Record<string, string> = { alg: signing.alg, typ: "JWT" };
  if (kid) header.kid = kid;
  const encoder = new TextEncoder();
  const input = [header, claims].map((part) => encoder.encode(JSON.stringify(part)).toBase64(JWS_BASE64))
    .join(".");
  const algorithm = signing.alg === "RS256"
    ? { name: "RSASSA-PKCS1-v1_5" }
    : { name: "ECDSA", hash: CURVE_HASH[signing.alg] };
  // WebCrypto's ECDSA signature is r||s (IEEE P1363), exactly what JWS wants.
  const signature = await crypto.subtle.sign(algorithm, signing.key, encoder.encode(input));
  return `${input}.${new Uint8Array(signature).toBase64(JWS_BASE64)}`;
}

/** JWS encodes every part as base64url without padding (RFC 7515 §2). */
const JWS_BASE64 = { alphabet: "base64url", omitPadding: true } as const;

const CURVE_HASH: Record<string, string> = { ES256: "SHA-256", ES384: "SHA-384", ES512: "SHA-512" };
