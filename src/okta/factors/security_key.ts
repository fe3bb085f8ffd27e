/**
 * What the WebAuthn and U2F factor handlers ask of a security key, typed structurally so that this
 * folder does not import src/fido (the app layer hands over an implementation from there).
 *
 * @module
 */

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
  /** DER-encoded signature over authenticatorData || clientDataHash. */
  signature: Uint8Array;
  /** The user handle, for discoverable credentials. */
  userHandle?: Uint8Array;
}

/** A security key (a USB key through libfido2, or the software key used by tests). */
export interface SecurityKey {
  /** Signs one assertion; shows its own "touch your key" and PIN prompts on stderr. */
  getAssertion(request: AssertionRequest): Promise<Assertion>;
  /** Releases the device. */
  close?(): void | Promise<void>;
}

/** Opens the security key; called only when a FIDO factor is verified. */
export type SecurityKeyOpener = () => Promise<SecurityKey>;
