/**
 * The authenticator interface every security key implements (a USB key through libfido2, or the
 * software key the tests use), and the byte-level helpers they share: authenticator data, DER
 * signatures and the CBOR byte string libfido2 wraps authenticator data in.
 *
 * These types are the one home of the security-key contract: src/okta's WebAuthn and U2F handlers
 * import them as types only (free at run time), and the app layer hands over an implementation.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Prompter } from "../ui/prompter.ts";

/** How much user verification (PIN or biometrics) the relying party asks for. */
export type UserVerification = "required" | "preferred" | "discouraged";

/** One assertion request (CTAP2 authenticatorGetAssertion, or U2F authenticate). */
export interface AssertionRequest {
  /** The relying party id: the Okta host for WebAuthn, the app id URL for U2F. */
  rpId: string;
  /** SHA-256 of the client data JSON the caller built. */
  clientDataHash: Uint8Array;
  /** Credential ids the key may use (empty: any discoverable credential). */
  allowCredentialIds: Uint8Array[];
  /** User verification wanted. */
  userVerification: UserVerification;
  /** A PIN the caller already has; the key asks for one itself when it needs it. */
  pin?: string;
}

/** A signed assertion. */
export interface Assertion {
  /** The credential that signed. */
  credentialId: Uint8Array;
  /** The raw authenticator data (rpIdHash, flags, counter, extensions). */
  authenticatorData: Uint8Array;
  /** DER-encoded ECDSA signature over authenticatorData || clientDataHash. */
  signature: Uint8Array;
  /** The user handle, for discoverable credentials. */
  userHandle?: Uint8Array;
}

/** A security key (a USB key through libfido2, or the software key used by tests). */
export interface Authenticator {
  /** Signs one assertion, asking for a touch or a PIN on stderr as needed. */
  getAssertion(request: AssertionRequest): Promise<Assertion>;
  /** Releases the device. */
  close(): void | Promise<void>;
}

/** What an authenticator may ask the user: progress lines ("Touch your security key") and its PIN. */
export type AuthenticatorUi = Pick<Prompter, "say" | "secret">;

/** Authenticator data flag: the user was present (touched the key). */
export const FLAG_USER_PRESENT = 0x01;
/** Authenticator data flag: the user was verified (PIN or biometrics). */
export const FLAG_USER_VERIFIED = 0x04;

/** Builds authenticator data without attested credential or extensions: rpIdHash, flags, counter. */
export async function authenticatorData(rpId: string, flags: number, counter: number): Promise<Uint8Array> {
  const rpIdHash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(rpId)));
  const data = new Uint8Array(37);
  data.set(rpIdHash, 0);
  data[32] = flags;
  new DataView(data.buffer).setUint32(33, counter >>> 0);
  return data;
}

/** Encodes a raw P-256 signature (r || s, 64 bytes, as WebCrypto makes it) as DER. */
export function derSignature(raw: Uint8Array): Uint8Array {
  if (raw.length !== 64) throw new AppError(`an ES256 signature has 64 bytes, not ${raw.length}`);
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    // A leading 1 bit would read as negative: DER wants a 0x00 in front.
    const body = (trimmed[0] ?? 0) & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
    return Uint8Array.of(0x02, body.length, ...body);
  };
  const r = integer(raw.subarray(0, 32));
  const s = integer(raw.subarray(32));
  return Uint8Array.of(0x30, r.length + s.length, ...r, ...s);
}

/**
 * Unwraps a CBOR byte string (major type 2). libfido2's `fido_assert_authdata_ptr` returns the
 * authenticator data CBOR-encoded, as the authenticator sent it; the raw accessor only exists
 * from libfido2 1.15 on.
 */
export function cborByteString(encoded: Uint8Array): Uint8Array {
  const head = encoded[0];
  if (head === undefined || head >> 5 !== 2) return encoded;
  const info = head & 0x1f;
  let length: number;
  let offset: number;
  if (info < 24) {
    length = info;
    offset = 1;
  } else if (info === 24) {
    length = encoded[1] ?? 0;
    offset = 2;
  } else if (info === 25) {
    length = ((encoded[1] ?? 0) << 8) | (encoded[2] ?? 0);
    offset = 3;
  } else {
    throw new AppError("the security key returned authenticator data in an unexpected encoding");
  }
  if (offset + length > encoded.length) {
    throw new AppError("the security key returned truncated authenticator data");
  }
  return encoded.slice(offset, offset + length);
}
