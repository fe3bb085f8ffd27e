/**
 * The Duo device setting (`--mfa-duo-device`, AWS_OKTA_MFA_DUO_DEVICE, `mfa_duo_device`): which of
 * the user's Duo devices to use and how. aws-okta accepted `phone1`, `phone2`, `token` and `u2f`;
 * a method suffix picks a phone call or a Duo Mobile passcode instead of the push.
 *
 * @module
 */

import { AppError } from "../../errors.ts";

/** What Duo's prompt calls each method (the `factor` form field). */
export type DuoMethod = "Duo Push" | "Phone Call" | "Passcode";

/** A parsed device setting. */
export interface DuoChoice {
  /** Duo's device id: "phone1", "phone2", …, or "token" for a hardware token. */
  device: string;
  /** How to authenticate with it. */
  method: DuoMethod;
}

/** The device used when none is configured. */
export const DEFAULT_DUO_DEVICE = "phone1";

const METHODS: Record<string, DuoMethod> = {
  push: "Duo Push",
  call: "Phone Call",
  passcode: "Passcode",
};

const FORMS = "phone1, phone2, phone1:call, phone1:passcode or token";

/**
 * Parses `<device>[:push|call|passcode]`. `token` means a hardware token's passcode; a phone
 * without a suffix gets a Duo Push.
 *
 * @throws {AppError} for `u2f` (Duo's security key prompt needs a browser) and malformed values.
 */
export function parseDuoDevice(value: string | undefined): DuoChoice {
  const text = (value ?? "").trim().toLowerCase() || DEFAULT_DUO_DEVICE;
  const [device = "", suffix, ...rest] = text.split(":");
  if (device === "u2f" || device === "webauthn") {
    throw new AppError(
      `the Duo device "${device}" is not supported: Duo's security key prompt needs a browser`,
      {
        hint:
          `use ${FORMS} in --mfa-duo-device, or enroll the key in Okta as a security key (factor webauthn)`,
      },
    );
  }
  if (rest.length > 0 || !/^[a-z][a-z0-9_-]*$/.test(device)) {
    throw new AppError(`the Duo device "${text}" is not valid`, { hint: `use ${FORMS}` });
  }
  if (device === "token") {
    if (suffix !== undefined && suffix !== "passcode") {
      throw new AppError(`the Duo device "${text}" is not valid: a token only gives passcodes`, {
        hint: `use ${FORMS}`,
      });
    }
    return { device, method: "Passcode" };
  }
  const method = suffix === undefined ? "Duo Push" : METHODS[suffix];
  if (!method) {
    throw new AppError(`the Duo method "${suffix}" is not known`, { hint: `use ${FORMS}` });
  }
  return { device, method };
}
