/**
 * The device operations the USB security key needs, as an interface: libfido2.ts implements it over
 * FFI, and tests fake it to drive PIN, touch and error handling without hardware.
 *
 * @module
 */

/** A security key found on USB (or the platform's WebAuthn API on Windows). */
export interface DeviceInfo {
  /** libfido2's device path, e.g. "/dev/hidraw3" or "windows://hello". */
  path: string;
  /** The product name, for messages. */
  product: string;
}

/** Options of one assertion on a device. */
export interface DeviceAssertOptions {
  /** Relying party id. */
  rpId: string;
  /** SHA-256 of the client data. */
  clientDataHash: Uint8Array;
  /** Allowed credential ids. */
  allowCredentialIds: Uint8Array[];
  /** Ask for user presence (a touch); false for a silent probe. */
  userPresence: boolean;
  /** Ask the key for built-in user verification (biometrics). */
  userVerification: boolean;
  /** The PIN, when the key needs one. */
  pin?: string;
}

/** What a device returned: libfido2's status code, and the assertion on success. */
export interface DeviceAssertResult {
  /** FIDO_OK (0) or an error code (see {@linkcode FidoStatus}). */
  status: number;
  /** Present when status is FIDO_OK. */
  assertion?: {
    credentialId: Uint8Array;
    /** Raw authenticator data (already unwrapped from CBOR). */
    authenticatorData: Uint8Array;
    signature: Uint8Array;
    userHandle: Uint8Array;
  };
}

/** An opened device. */
export interface FidoDevice {
  /** The info it was opened from. */
  readonly info: DeviceInfo;
  /** Whether a PIN is set. */
  hasPin(): boolean;
  /** Whether the key has built-in user verification (fingerprint). */
  hasUv(): boolean;
  /** Whether the key speaks CTAP2 (else U2F only). */
  isFido2(): boolean;
  /** One assertion; resolves when the key answers (a touch, a timeout or an error). */
  assert(options: DeviceAssertOptions): Promise<DeviceAssertResult>;
  /** Closes and frees the device. */
  close(): void;
}

/** The library: device discovery and opening, and error texts. */
export interface FidoApi {
  /** The security keys present. */
  listDevices(): DeviceInfo[];
  /** Opens one; returns the status code on failure. */
  open(info: DeviceInfo): FidoDevice | number;
  /** libfido2's text for a status code. */
  describe(status: number): string;
}

/** libfido2 status codes this project acts on (fido/err.h; positive ones are CTAP2's). */
export const FidoStatus = {
  OK: 0x00,
  OPERATION_DENIED: 0x27,
  NO_CREDENTIALS: 0x2e,
  ACTION_TIMEOUT: 0x2f,
  PIN_INVALID: 0x31,
  PIN_BLOCKED: 0x32,
  PIN_AUTH_BLOCKED: 0x34,
  PIN_NOT_SET: 0x35,
  PIN_REQUIRED: 0x36,
  UV_BLOCKED: 0x3c,
  UV_INVALID: 0x3f,
  USER_PRESENCE_REQUIRED: -8,
} as const;
