/**
 * Gets a SAML assertion for a profile from Okta: reuses the stored Okta session cookie when it is
 * still good, else logs in with the stored password and MFA, then stores the new cookies.
 *
 * Loaded lazily: only a cache miss pays for the Okta client and the HTML parser.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import type { ResolvedProfile } from "../config/aws_config.ts";
import type { Keyring } from "../keyring/keyring.ts";
import {
  DEVICE_TOKEN_LABEL,
  getOktaCredentials,
  getSecretString,
  SESSION_COOKIE_LABEL,
  setSecretString,
} from "../keyring/items.ts";
import { classicLogin } from "../okta/classic_login.ts";
import { oktaBaseUrl } from "../okta/domain.ts";
import type { AppContext } from "./context.ts";
import { securityKeyOpener } from "./security_key.ts";

/** The keyring item holding Okta's device token cookie (shared by all accounts, as in aws-okta). */
export const DEVICE_TOKEN_KEY = "okta-device-token-cookie";

/** What a login yields: the base64 SAMLResponse and who logged in. */
export interface SamlLogin {
  samlResponse: string;
  username: string;
}

/** Logs in to Okta for `profile` and returns the SAML assertion for its AWS app. */
export async function samlLogin(
  ctx: AppContext,
  profile: ResolvedProfile,
  keyring: Keyring,
  fetch: Fetch,
): Promise<SamlLogin> {
  // Identity Engine profiles (okta_oidc_client_id, okta_auth_flow) sign in with the device flow.
  const { deviceLoginIfChosen } = await import("./device_login.ts");
  const device = await deviceLoginIfChosen(ctx, profile, keyring, fetch);
  if (device) return device;
  if (!profile.samlUrl) {
    throw new AppError(`no aws_saml_url for profile "${profile.name}"`, {
      hint:
        "set aws_saml_url in [okta] or in the profile (the AWS app's embed link path, e.g. home/amazon_aws/0oa.../272)",
    });
  }
  const creds = await getOktaCredentials(keyring, profile.credentialsKey);
  const sessionCookie = await getSecretString(keyring, profile.sessionCookieKey);
  const deviceToken = await getSecretString(keyring, DEVICE_TOKEN_KEY);
  const mfa = {
    ...optional("provider", ctx.options.mfaProvider ?? profile.mfa.provider),
    ...optional("factorType", ctx.options.mfaFactorType ?? profile.mfa.factorType),
    ...optional("duoDevice", ctx.options.mfaDuoDevice ?? profile.mfa.duoDevice),
  };
  const result = await classicLogin({
    baseUrl: oktaBaseUrl(creds.Domain),
    samlUrl: profile.samlUrl,
    username: creds.Username,
    password: () => Promise.resolve(creds.Password),
    ...optional("sessionCookie", sessionCookie),
    ...optional("deviceToken", deviceToken),
    mfa,
    fetch,
    prompter: ctx.prompter,
    debug: ctx.debug,
    openSecurityKey: securityKeyOpener(ctx),
    ...pollOverrides(ctx),
  });
  ctx.debug(`okta: ${result.reusedSession ? "reused the stored Okta session" : "logged in with password"}`);
  if (result.sessionCookie && result.sessionCookie !== sessionCookie) {
    await setSecretString(keyring, profile.sessionCookieKey, result.sessionCookie, SESSION_COOKIE_LABEL);
  }
  if (result.deviceToken && result.deviceToken !== deviceToken) {
    await setSecretString(keyring, DEVICE_TOKEN_KEY, result.deviceToken, DEVICE_TOKEN_LABEL);
  }
  return { samlResponse: result.samlResponse, username: creds.Username };
}

/** AWS_OKTA_POLL_INTERVAL_MS tunes the MFA push polling interval (tests and slow links). */
function pollOverrides(ctx: AppContext): { pollIntervalMs?: number } {
  const value = Number(ctx.env.get("AWS_OKTA_POLL_INTERVAL_MS") ?? "");
  return value > 0 ? { pollIntervalMs: value } : {};
}

/** `{ [key]: value }` when value is defined, else `{}` (for exactOptionalPropertyTypes). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
