/**
 * Choosing an MFA factor and verifying it. Verification goes through a dispatch table keyed by
 * `factorType`, so handlers for Duo and FIDO can slot in without touching the login flow.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import type { OktaClient } from "../client.ts";
import { verifyPasscode, verifyQuestion, verifySentCode } from "./code.ts";
import { verifyDuo } from "../duo/factor.ts";
import { verifyDuoUniversal } from "../duo/universal.ts";
import { verifyPush } from "./push.ts";
import { type FactorContext, type FactorHandler, factorLabel } from "./handler.ts";
import { verifyU2f, verifyWebAuthn } from "./webauthn.ts";
import type { OktaPrompter } from "../prompter.ts";

export type { FactorContext, FactorHandler } from "./handler.ts";
export { factorLabel } from "./handler.ts";

/** The user's MFA choice, with flags, environment and config already merged by the caller. */
export interface MfaPreferences {
  /** Provider to use ("OKTA", "GOOGLE", "DUO", …), matched case-insensitively. */
  provider?: string;
  /** Factor type to use ("push", "token:software:totp", …), matched case-insensitively. */
  factorType?: string;
  /** The Duo device ("phone1" by default). */
  duoDevice?: string;
}

/** A handler for factors this client cannot verify yet. */
const unsupported: FactorHandler = (_client, transaction, factor) => {
  const others = (transaction._embedded?.factors ?? [])
    .filter((other) => other.id !== factor.id && Object.hasOwn(FACTOR_HANDLERS, other.factorType))
    .filter((other) => FACTOR_HANDLERS[other.factorType] !== unsupported)
    .map((other) => other.factorType);
  const choices = others.length > 0 ? ` (enrolled: ${[...new Set(others)].join(", ")})` : "";
  return Promise.reject(
    new AppError(`the MFA factor "${factorLabel(factor)}" is not supported yet`, {
      hint: `pick another factor with --mfa-factor-type${choices}`,
    }),
  );
};

/** factorType → handler. Unknown types are treated as unsupported. */
const FACTOR_HANDLERS: Record<string, FactorHandler> = {
  "push": verifyPush,
  "token:software:totp": verifyPasscode,
  "token:hardware": verifyPasscode,
  "token": verifyPasscode,
  "token:hotp": verifyPasscode,
  "sms": verifySentCode,
  "call": verifySentCode,
  "email": verifySentCode,
  "question": verifyQuestion,
  "web": verifyDuo,
  "claims_provider": verifyDuoUniversal,
  "u2f": verifyU2f,
  "webauthn": verifyWebAuthn,
};

/**
 * Picks the factor to verify: the one matching the preferences (provider and/or type,
 * case-insensitive), else the only one, else the user's choice from a list of "PROVIDER (type)" lines.
 * Preferences that match no factor are overridden, with a line on stderr, when the user has only one.
 *
 * @throws {AppError} when no factor is offered, or the preferred one is not enrolled among several.
 */
export async function chooseFactor(
  factors: readonly Factor[],
  prefs: MfaPreferences,
  prompter: OktaPrompter,
): Promise<Factor> {
  if (factors.length === 0) {
    throw new AppError("Okta asked for MFA but offered no factor", { hint: "enroll one in the browser" });
  }
  const provider = prefs.provider?.trim().toLowerCase() || undefined;
  const factorType = prefs.factorType?.trim().toLowerCase() || undefined;
  let candidates = factors;
  if (provider || factorType) {
    candidates = factors.filter((factor) =>
      (!provider || factor.provider.toLowerCase() === provider) &&
      (!factorType || factor.factorType.toLowerCase() === factorType)
    );
    if (candidates.length === 0) {
      const wantedProvider = prefs.provider?.trim() ?? "";
      const wantedType = prefs.factorType?.trim() ?? "";
      const wanted = wantedProvider && wantedType
        ? `${wantedProvider} (${wantedType})`
        : wantedProvider || wantedType;
      const [only] = factors;
      if (only && factors.length === 1) {
        // A stale setting with one enrolled factor: use it, as Go aws-okta did, and say so.
        prompter.say(
          `The MFA factor "${wanted}" is not enrolled in Okta; using your only factor, "${
            factorLabel(only)
          }" ` +
            "(fix --mfa-provider/--mfa-factor-type or mfa_provider/mfa_factor_type)",
        );
        return only;
      }
      const enrolled = factors.map((factor) => `"${factorLabel(factor)}"`).join(", ");
      throw new AppError(`the MFA factor "${wanted}" is not enrolled in Okta: enrolled are ${enrolled}`, {
        hint: "change --mfa-provider/--mfa-factor-type (or mfa_provider/mfa_factor_type in the config)",
      });
    }
  }
  const [first] = candidates;
  if (first && candidates.length === 1) return first;

  const labels = candidates.map((factor) => factorLabel(factor));
  // Two devices with the same factor (two phones with Okta Verify) are told apart by their profile.
  const options = labels.map((label, index) => {
    if (labels.indexOf(label) === labels.lastIndexOf(label)) return label;
    const detail = describeDevice(candidates[index]);
    return detail ? `${label} ${detail}` : label;
  });
  const choice = await prompter.choose("Choose an MFA factor", options);
  const chosen = candidates[choice];
  if (!Number.isInteger(choice) || !chosen) {
    throw new AppError(`no MFA factor numbered ${choice + 1}`, { hint: "run the command again" });
  }
  return chosen;
}

/**
 * Verifies the chosen factor within the transaction and returns Okta's answer once the factor is
 * done: normally status SUCCESS with a sessionToken (the login flow handles any other status).
 */
export function verifyFactor(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  const handler = Object.hasOwn(FACTOR_HANDLERS, factor.factorType)
    ? FACTOR_HANDLERS[factor.factorType] ?? unsupported
    : unsupported;
  context.debug?.(`okta: verifying factor ${factorLabel(factor)}`);
  return handler(client, transaction, factor, context);
}

function describeDevice(factor: Factor | undefined): string {
  const profile = factor?.profile ?? {};
  for (const key of ["name", "authenticatorName", "phoneNumber", "email", "credentialId"]) {
    const value = profile[key];
    if (typeof value === "string" && value) return `- ${value}`;
  }
  return factor ? `- ${factor.id}` : "";
}
