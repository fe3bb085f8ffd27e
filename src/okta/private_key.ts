/**
 * Private keys for `private_key_jwt` client authentication: PEM "RSA PRIVATE KEY" (PKCS#1),
 * "PRIVATE KEY" (PKCS#8, RSA or EC) and "EC PRIVATE KEY" (SEC1), imported into WebCrypto (which
 * reads only PKCS#8, so the other two are re-wrapped with a small DER builder).
 *
 * RSA keys sign RS256; EC keys sign ES256, ES384 or ES512 by their curve (P-256, P-384, P-521).
 *
 * @module
 */

import { AppError } from "../errors.ts";
import {
  DerError,
  derNull,
  integer,
  octetString,
  oid,
  oidText,
  readChildren,
  readTlv,
  sequence,
} from "./der.ts";

/** A key ready to sign JWTs. */
export interface SigningKey {
  /** JWS algorithm. */
  alg: "RS256" | "ES256" | "ES384" | "ES512";
  /** The WebCrypto key (not extractable). */
  key: CryptoKey;
}

const RSA_OID = "1.2.840.113549.1.1.1";
const EC_OID = "1.2.840.10045.2.1";
const CURVES: Record<string, { namedCurve: string; alg: SigningKey["alg"]; hash: string }> = {
  "1.2.840.10045.3.1.7": { namedCurve: "P-256", alg: "ES256", hash: "SHA-256" },
  "1.3.132.0.34": { namedCurve: "P-384", alg: "ES384", hash: "SHA-384" },
  "1.3.132.0.35": { namedCurve: "P-521", alg: "ES512", hash: "SHA-512" },
};

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
  let der: Uint8Array;
  try {
    der = Uint8Array.fromBase64(match[2]!.replace(/\s+/g, ""));
  } catch {
    throw new AppError(`the "${label}" PEM block is not valid base64`, { hint: KEY_HINT });
  }
  try {
    switch (label) {
      case "RSA PRIVATE KEY":
        return await importRsa(pkcs1ToPkcs8(der));
      case "EC PRIVATE KEY":
        return await importPkcs8(sec1ToPkcs8(der));
      case "PRIVATE KEY":
        return await importPkcs8(der);
      case "ENCRYPTED PRIVATE KEY":
        throw new AppError("the private key is encrypted", {
          hint: "decrypt it first, e.g. openssl pkcs8 -in key.pem -out plain.pem",
        });
      default:
        throw new AppError(`unsupported PEM block "${label}"`, { hint: KEY_HINT });
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const detail = error instanceof DerError ? error.message : "WebCrypto refused it";
    throw new AppError(`cannot read the "${label}" private key: ${detail}`, { hint: KEY_HINT });
  }
}

/** Wraps a PKCS#1 RSAPrivateKey into PKCS#8 PrivateKeyInfo. */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  readTlv(pkcs1); // well-formed check
  return sequence(integer(0), sequence(oid(RSA_OID), derNull()), octetString(pkcs1));
}

/** Wraps a SEC1 ECPrivateKey into PKCS#8, taking the curve from its parameters. */
export function sec1ToPkcs8(sec1: Uint8Array): Uint8Array {
  const outer = readTlv(sec1);
  if (outer.tag !== 0x30) throw new DerError("SEC1 key is not a SEQUENCE");
  const parameters = readChildren(outer.value).find((child) => child.tag === 0xa0);
  if (!parameters) throw new DerError("SEC1 key names no curve");
  const curve = readTlv(parameters.value);
  if (curve.tag !== 0x06) throw new DerError("SEC1 key names no curve");
  return sequence(integer(0), sequence(oid(EC_OID), oid(oidText(curve.value))), octetString(sec1));
}

async function importPkcs8(der: Uint8Array): Promise<SigningKey> {
  const info = readChildren(readTlv(der).value);
  const algorithm = info[1];
  if (!algorithm || algorithm.tag !== 0x30) throw new DerError("PKCS#8 key has no algorithm");
  const [algOid, params] = readChildren(algorithm.value);
  if (!algOid || algOid.tag !== 0x06) throw new DerError("PKCS#8 key has no algorithm");
  const kind = oidText(algOid.value);
  if (kind === RSA_OID) return await importRsa(der);
  if (kind !== EC_OID) {
    throw new AppError(`unsupported key algorithm "${kind}"`, { hint: "use an RSA or EC key" });
  }
  if (!params || params.tag !== 0x06) throw new DerError("EC key names no curve");
  const curveOid = oidText(params.value);
  const curve = CURVES[curveOid];
  if (!curve) {
    throw new AppError(`unsupported EC curve "${curveOid}"`, { hint: "use a P-256, P-384 or P-521 key" });
  }
  const key = await crypto.subtle.importKey(
    "pkcs8",
    der as Uint8Array<ArrayBuffer>,
    { name: "ECDSA", namedCurve: curve.namedCurve },
    false,
    ["sign"],
  );
  return { alg: curve.alg, key };
}

async function importRsa(der: Uint8Array): Promise<SigningKey> {
  const key = await crypto.subtle.importKey(
    "pkcs8",
    der as Uint8Array<ArrayBuffer>,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return { alg: "RS256", key };
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
