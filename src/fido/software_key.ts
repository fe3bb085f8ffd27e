/**
 * A software security key for tests and demos: an ES256 private key in a JWK file whose `kid` is
 * the base64url credential id. It signs real WebAuthn structures (authenticator data with the
 * rpIdHash, user-present flag and a counter; a DER ECDSA signature over authenticatorData ||
 * clientDataHash), so the Okta side is exercised exactly as with a USB key.
 *
 * Selected by AWS_OKTA_FIDO_SOFTWARE_KEY=<path>. For testing only: the private key sits in a file.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import {
  type Assertion,
  type AssertionRequest,
  type Authenticator,
  authenticatorData,
  derSignature,
  FLAG_USER_PRESENT,
  FLAG_USER_VERIFIED,
} from "./authenticator.ts";

/** A generated software key: the private JWK (for the file) and what a server registers. */
export interface SoftwareKeyPair {
  /** Private JWK with `kid` = base64url credential id; write it to the key file. */
  privateJwk: JsonWebKey & { kid: string };
  /** Public JWK, for the relying party. */
  publicJwk: JsonWebKey;
  /** The credential id, base64url. */
  credentialId: string;
}

/** Creates a new P-256 key pair with a random 32-byte credential id. */
export async function generateSoftwareKey(): Promise<SoftwareKeyPair> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const credentialId = crypto.getRandomValues(new Uint8Array(32)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
  const privateJwk = { ...await crypto.subtle.exportKey("jwk", pair.privateKey), kid: credentialId };
  const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { privateJwk, publicJwk, credentialId };
}

/** A security key backed by a private JWK. */
export class SoftwareSecurityKey implements Authenticator {
  readonly #key: CryptoKey;
  readonly #credentialId: Uint8Array;

  private constructor(key: CryptoKey, credentialId: Uint8Array) {
    this.#key = key;
    this.#credentialId = credentialId;
  }

  /** Loads the key file; a missing or malformed file is an {@linkcode AppError} naming it. */
  static async load(path: string): Promise<SoftwareSecurityKey> {
    let jwk: JsonWebKey & { kid?: unknown };
    try {
      jwk = JSON.parse(await Deno.readTextFile(path));
    } catch (error) {
      throw new AppError(`cannot read the software security key "${path}"`, {
        hint:
          "AWS_OKTA_FIDO_SOFTWARE_KEY must name a JWK file (it is meant for tests); unset it to use a USB key",
        cause: error,
      });
    }
    if (
      jwk?.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.d !== "string" || typeof jwk.kid !== "string"
    ) {
      throw new AppError(`the software security key "${path}" is not a P-256 private JWK with a "kid"`, {
        hint: "AWS_OKTA_FIDO_SOFTWARE_KEY is meant for tests; unset it to use a USB key",
      });
    }
    try {
      const credentialId = Uint8Array.fromBase64(jwk.kid, { alphabet: "base64url" });
      const { kid: _kid, ...keyData } = jwk;
      const key = await crypto.subtle.importKey(
        "jwk",
        { ...keyData, key_ops: ["sign"] },
        {
          name: "ECDSA",
          namedCurve: "P-256",
        },
        false,
        ["sign"],
      );
      return new SoftwareSecurityKey(key, credentialId);
    } catch (error) {
      throw new AppError(`the software security key "${path}" holds a key or kid that does not decode`, {
        hint: "AWS_OKTA_FIDO_SOFTWARE_KEY is meant for tests; unset it to use a USB key",
        cause: error,
      });
    }
  }

  /** Signs when the request allows this key's credential (or allows any). */
  async getAssertion(request: AssertionRequest): Promise<Assertion> {
    const allowed = request.allowCredentialIds.length === 0 ||
      request.allowCredentialIds.some((id) => equal(id, this.#credentialId));
    if (!allowed) {
      throw new AppError("the software security key holds none of the credentials Okta allows", {
        hint: "use the key file whose credential is enrolled for this user",
      });
    }
    const flags = FLAG_USER_PRESENT | (request.userVerification === "required" ? FLAG_USER_VERIFIED : 0);
    // Seconds since the epoch: increases between logins without state on disk.
    const counter = Math.floor(Date.now() / 1000);
    const authData = await authenticatorData(request.rpId, flags, counter);
    const signed = new Uint8Array(authData.length + request.clientDataHash.length);
    signed.set(authData, 0);
    signed.set(request.clientDataHash, authData.length);
    const raw = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.#key, signed);
    return {
      credentialId: this.#credentialId.slice(),
      authenticatorData: authData,
      signature: derSignature(new Uint8Array(raw)),
    };
  }

  /** Nothing to release. */
  close(): void {}
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}
