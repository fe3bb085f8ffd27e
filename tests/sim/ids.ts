/**
 * Random identifiers in the shapes Okta and AWS use, so that clients see realistic lengths and
 * alphabets (and hit the characters that need escaping: `-`, `_`, `+`, `/`, `=`).
 *
 * @module
 */

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL = ALNUM + "-_";
const BASE64 = ALNUM + "+/";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A random string of `length` characters drawn from `alphabet`. */
export function randomString(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** An Okta stateToken: "00" + base64url text, so it usually holds `-` or `_`. */
export function newStateToken(): string {
  // Force one "-" so the step-up page always exercises the JS escaping of it.
  const body = randomString(BASE64URL, 40);
  return `00${body.slice(0, 10)}-${body.slice(10)}`;
}

/** A one-time Okta sessionToken. */
export function newSessionToken(): string {
  return `20111${randomString(ALNUM, 45)}`;
}

/** The value of an Okta `sid` cookie (also the session id in `/api/v1/sessions/me`). */
export function newSessionId(): string {
  return `102${randomString(BASE64URL, 22)}`;
}

/** A device token for the `DT` cookie. */
export function newDeviceToken(): string {
  return randomString(BASE64URL, 36);
}

/** The `errorId` of an Okta error body: unique per error. */
export function newErrorId(): string {
  return `oae${randomString(ALNUM, 20)}`;
}

/** A SAML `ID` attribute value (XML IDs must not start with a digit). */
export function newSamlId(): string {
  let digits = "";
  for (const byte of crypto.getRandomValues(new Uint8Array(26))) digits += String(byte % 10);
  return `id${digits}`;
}

/** An STS temporary access key id: "ASIA" + 16 characters. */
export function newAccessKeyId(): string {
  return `ASIA${randomString(BASE32, 16)}`;
}

/** A 40-character secret access key. */
export function newSecretAccessKey(): string {
  return randomString(BASE64, 40);
}

/** An opaque STS session token: hundreds of base64 characters, like the real ones. */
export function newStsSessionToken(): string {
  return `IQoJb3JpZ2luX2VjE${randomString(BASE64, 380)}==`;
}

/** A request id in the UUID form AWS uses for `x-amzn-RequestId`. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * A stable pseudo-random string derived from `seed` (FNV-1a chain), for ids that must not change
 * between calls, such as the `AROA…` unique id of a role.
 */
export function stableString(seed: string, alphabet: string, length: number): string {
  let hash = 0x811c9dc5;
  let out = "";
  for (let i = 0; out.length < length; i++) {
    for (const ch of `${seed}#${i}`) {
      hash ^= ch.charCodeAt(0);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    out += alphabet[hash % alphabet.length];
  }
  return out;
}

/** The `AROA…` unique id AWS gives a role, stable per role ARN. */
export function roleUniqueId(roleArn: string): string {
  return `AROA${stableString(roleArn, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)}`;
}
