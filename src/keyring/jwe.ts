/**
 * The one JWE flavour 99designs/keyring's file backend writes (through jose2go): compact
 * serialization, key management PBES2-HS256+A128KW, content encryption A256GCM. Implemented on
 * WebCrypto only, because this runs on every cached credential_process call and an npm JOSE
 * library would add tens of milliseconds of start-up.
 *
 * Parsing is split from decryption so a malformed file is reported without asking for a passphrase.
 *
 * @module
 */

import { goJsonStringify } from "./go_json.ts";

/** The key management algorithm (RFC 7518 §4.8). */
export const PBES2_ALG = "PBES2-HS256+A128KW";
/** The content encryption algorithm (RFC 7518 §5.3). */
export const CONTENT_ENC = "A256GCM";
/** The PBKDF2 iteration count jose2go writes by default. */
export const DEFAULT_P2C = 8192;
/** The largest iteration count accepted on read (jose2go ≥ 1.6 refuses more: a DoS guard). */
export const MAX_P2C = 1_300_000;

const SALT_BYTES = 12;
const CEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_CEK_BYTES = CEK_BYTES + 8;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Why a token could not be opened. */
export type JweErrorKind =
  /** Not a well-formed token of the supported flavour. */
  | "format"
  /** The AES key unwrap integrity check failed: the passphrase is wrong. */
  | "key"
  /** The content did not authenticate: the token was altered after it was written. */
  | "integrity";

/** A token that cannot be opened; `message` is safe to show (it never holds secret material). */
export class JweError extends Error {
  /** Why the token could not be opened. */
  readonly kind: JweErrorKind;

  constructor(kind: JweErrorKind, message: string) {
    super(message);
    this.name = "JweError";
    this.kind = kind;
  }
}

/** Bytes backed by a plain ArrayBuffer, as WebCrypto takes them. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** A compact JWE split into its parts and checked, ready for {@linkcode decryptJwe}. */
export interface ParsedJwe {
  /** The decoded protected header. */
  header: Record<string, unknown>;
  /** The protected header as written (base64url): the AAD of the content encryption. */
  protectedHeader: string;
  /** PBKDF2 iteration count. */
  p2c: number;
  /** PBKDF2 salt input (before the algorithm name is prefixed). */
  p2s: Bytes;
  /** The AES-wrapped content encryption key. */
  encryptedKey: Bytes;
  /** The GCM nonce. */
  iv: Bytes;
  /** The encrypted payload. */
  ciphertext: Bytes;
  /** The GCM authentication tag. */
  tag: Bytes;
}

/** Options for {@linkcode encryptJwe}. */
export interface EncryptJweOptions {
  /** PBKDF2 iteration count; {@linkcode DEFAULT_P2C} unless stated. */
  p2c?: number;
  /** Value of the informational "created" header, if any. */
  created?: string;
}

/** Splits and validates a compact JWE; throws {@linkcode JweError} ("format") when it is not one we can open. */
export function parseJwe(token: string): ParsedJwe {
  const parts = token.trim().split(".");
  if (parts.length !== 5) {
    throw new JweError("format", `not a JWE compact token: ${parts.length} parts instead of 5`);
  }
  const [protectedHeader, encryptedKeyB64, ivB64, ciphertextB64, tagB64] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  const header = decodeHeader(protectedHeader);
  if (header.alg !== PBES2_ALG) {
    throw new JweError("format", `unsupported algorithm ${describe(header.alg)}`);
  }
  if (header.enc !== CONTENT_ENC) {
    throw new JweError("format", `unsupported encryption ${describe(header.enc)}`);
  }
  if (header.zip !== undefined) throw new JweError("format", "compressed payloads are not supported");
  const p2c = header.p2c;
  if (typeof p2c !== "number" || !Number.isInteger(p2c) || p2c < 1 || p2c > MAX_P2C) {
    throw new JweError("format", `invalid "p2c" header: expected an integer from 1 to ${MAX_P2C}`);
  }
  if (typeof header.p2s !== "string") throw new JweError("format", `missing "p2s" header`);
  const p2s = decodePart(header.p2s, `"p2s" header`);
  const encryptedKey = decodePart(encryptedKeyB64, "encrypted key");
  if (encryptedKey.length !== WRAPPED_CEK_BYTES) {
    throw new JweError(
      "format",
      `encrypted key is ${encryptedKey.length} bytes instead of ${WRAPPED_CEK_BYTES}`,
    );
  }
  const iv = decodePart(ivB64, "IV");
  if (iv.length !== IV_BYTES) throw new JweError("format", `IV is ${iv.length} bytes instead of ${IV_BYTES}`);
  const ciphertext = decodePart(ciphertextB64, "ciphertext");
  const tag = decodePart(tagB64, "authentication tag");
  if (tag.length !== TAG_BYTES) {
    throw new JweError("format", `authentication tag is ${tag.length} bytes instead of ${TAG_BYTES}`);
  }
  return { header, protectedHeader, p2c, p2s, encryptedKey, iv, ciphertext, tag };
}

/**
 * Decrypts a parsed token with `passphrase`. Throws {@linkcode JweError} "key" for a wrong
 * passphrase and "integrity" for content altered after it was written.
 */
export async function decryptJwe(jwe: ParsedJwe, passphrase: string): Promise<Uint8Array> {
  const kek = await deriveKek(passphrase, jwe.p2s, jwe.p2c, ["unwrapKey"]);
  let cek: CryptoKey;
  try {
    cek = await crypto.subtle.unwrapKey("raw", jwe.encryptedKey, kek, "AES-KW", "AES-GCM", false, [
      "decrypt",
    ]);
  } catch {
    throw new JweError("key", "key unwrap integrity check failed");
  }
  const sealed = new Uint8Array(jwe.ciphertext.length + TAG_BYTES);
  sealed.set(jwe.ciphertext);
  sealed.set(jwe.tag, jwe.ciphertext.length);
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: jwe.iv, additionalData: ascii(jwe.protectedHeader), tagLength: TAG_BYTES * 8 },
      cek,
      sealed,
    );
    return new Uint8Array(plaintext);
  } catch {
    throw new JweError("integrity", "content authentication failed");
  }
}

/** Encrypts `plaintext` under `passphrase` into a compact JWE that jose2go (and so Go aws-okta) opens. */
export async function encryptJwe(
  plaintext: Bytes,
  passphrase: string,
  options: EncryptJweOptions = {},
): Promise<string> {
  const p2c = options.p2c ?? DEFAULT_P2C;
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const kek = await deriveKek(passphrase, salt, p2c, ["wrapKey"]);
  const cekBytes = crypto.getRandomValues(new Uint8Array(CEK_BYTES));
  const cek = await crypto.subtle.importKey("raw", cekBytes, "AES-GCM", true, ["encrypt"]);
  cekBytes.fill(0);
  const encryptedKey = new Uint8Array(await crypto.subtle.wrapKey("raw", cek, kek, "AES-KW"));
  // Go marshals the header map with sorted keys; we write the same order.
  const header: Record<string, unknown> = { alg: PBES2_ALG };
  if (options.created !== undefined) header.created = options.created;
  header.enc = CONTENT_ENC;
  header.p2c = p2c;
  header.p2s = toBase64Url(salt);
  const protectedHeader = toBase64Url(new TextEncoder().encode(goJsonStringify(header)));
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: ascii(protectedHeader), tagLength: TAG_BYTES * 8 },
      cek,
      plaintext,
    ),
  );
  const ciphertext = sealed.subarray(0, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  return [
    protectedHeader,
    toBase64Url(encryptedKey),
    toBase64Url(iv),
    toBase64Url(ciphertext),
    toBase64Url(tag),
  ]
    .join(".");
}

/** KEK = PBKDF2-HMAC-SHA256(passphrase, alg || 0x00 || p2s, p2c, 128 bits), as RFC 7518 §4.8.1.1. */
async function deriveKek(
  passphrase: string,
  p2s: Bytes,
  p2c: number,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  const algId = ascii(PBES2_ALG);
  const salt = new Uint8Array(algId.length + 1 + p2s.length);
  salt.set(algId);
  salt.set(p2s, algId.length + 1);
  const password = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(passphrase),
    "PBKDF2",
    false,
    ["deriveKey"],
  );
  return await crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: p2c },
    password,
    { name: "AES-KW", length: 128 },
    false,
    usages,
  );
}

function decodeHeader(part: string): Record<string, unknown> {
  const bytes = decodePart(part, "protected header");
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new JweError("format", "protected header is not JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new JweError("format", "protected header is not a JSON object");
  }
  return header as Record<string, unknown>;
}

function decodePart(text: string, what: string): Bytes {
  if (!BASE64URL.test(text)) throw new JweError("format", `${what} is not base64url`);
  try {
    return Uint8Array.fromBase64(text, { alphabet: "base64url" });
  } catch {
    throw new JweError("format", `${what} is not base64url`);
  }
}

function toBase64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

function ascii(text: string): Bytes {
  return new TextEncoder().encode(text);
}

/** Header values in messages: short, quoted, never more than a word (headers are not secret). */
function describe(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `"${text.length > 40 ? `${text.slice(0, 40)}...` : text}"`;
}
