/**
 * Gets a SAML assertion for a profile from Okta: reuses the stored Okta session cookie when it is
 * still good, else logs in with the stored password and MFA, then stores the new cookies.
 *
 * Loaded lazily: only a cache miss pays for the Okta client and the HTML parser.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { Fetch } from "../../net/fetch.ts";
import type { ResolvedProfile } from "../../config/aws_config.ts";
import { type Keyring, KeyringError } from "../../keyring/keyring.ts";
import {
  DEVICE_TOKEN_LABEL,
  getOktaCredentials,
  getSecretString,
  type OktaCredentials,
  SESSION_COOKIE_LABEL,
  setSecretString,
} from "../store/items.ts";
import { authenticate, classicLogin } from "../../okta/classic_login.ts";
import { oktaBaseUrl } from "../../okta/domain.ts";
import type { AppContext } from "../context.ts";
import { securityKeyOpener } from "./security_key_choice.ts";

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
  const sessionCookie = await disposableCookie(ctx, keyring, profile.sessionCookieKey);
  const deviceToken = await disposableCookie(ctx, keyring, DEVICE_TOKEN_KEY);
  const result = await classicLogin({
    ...passwordLogin(ctx, profile, creds, fetch),
    samlUrl: profile.samlUrl,
    ...optional("sessionCookie", sessionCookie),
    ...optional("deviceToken", deviceToken),
    ...optional("interactive", ctx.interactive),
  });
  ctx.debug(`okta: ${result.reusedSession ? "reused the stored Okta session" : "logged in with password"}`);
  await storeCookies(keyring, profile, result, { sessionCookie, deviceToken });
  return { samlResponse: result.samlResponse, username: creds.Username };
}

/**
 * Signs in to Okta with the stored password and MFA but no app link (`populate` lists the apps
 * afterwards), stores the new session cookie, and returns it with the org's URL.
 */
export async function classicSignIn(
  ctx: AppContext,
  profile: ResolvedProfile,
  keyring: Keyring,
  fetch: Fetch,
): Promise<{ baseUrl: URL; sessionCookie?: string }> {
  const creds = await getOktaCredentials(keyring, profile.credentialsKey);
  const deviceToken = await disposableCookie(ctx, keyring, DEVICE_TOKEN_KEY);
  const login = passwordLogin(ctx, profile, creds, fetch);
  const session = await authenticate({ ...login, ...optional("deviceToken", deviceToken) });
  await storeCookies(keyring, profile, session, { deviceToken });
  return { baseUrl: login.baseUrl, ...optional("sessionCookie", session.sessionCookie) };
}

/** What both logins give Okta's classic client: the org, the stored password, MFA and the terminal. */
function passwordLogin(ctx: AppContext, profile: ResolvedProfile, creds: OktaCredentials, fetch: Fetch) {
  return {
    baseUrl: oktaBaseUrl(creds.Domain),
    username: creds.Username,
    password: () => Promise.resolve(creds.Password),
    mfa: mfaChoice(ctx, profile),
    fetch,
    prompter: ctx.prompter,
    debug: ctx.debug,
    openSecurityKey: securityKeyOpener(ctx),
    ...pollOverrides(ctx),
  };
}

/** The MFA choice: global flags and environment, else the profile's keys. */
function mfaChoice(ctx: AppContext, profile: ResolvedProfile) {
  return {
    ...optional("provider", ctx.options.mfaProvider ?? profile.mfa.provider),
    ...optional("factorType", ctx.options.mfaFactorType ?? profile.mfa.factorType),
    ...optional("duoDevice", ctx.options.mfaDuoDevice ?? profile.mfa.duoDevice),
  };
}

/** Keeps new Okta session and device-token cookies for the next login. */
async function storeCookies(
  keyring: Keyring,
  profile: ResolvedProfile,
  fresh: { sessionCookie?: string; deviceToken?: string },
  stored: { sessionCookie?: string | undefined; deviceToken?: string | undefined },
): Promise<void> {
  if (fresh.sessionCookie && fresh.sessionCookie !== stored.sessionCookie) {
    await setSecretString(keyring, profile.sessionCookieKey, fresh.sessionCookie, SESSION_COOKIE_LABEL);
  }
  if (fresh.deviceToken && fresh.deviceToken !== stored.deviceToken) {
    await setSecretString(keyring, DEVICE_TOKEN_KEY, fresh.deviceToken, DEVICE_TOKEN_LABEL);
  }
}

/** What a cookie value may hold (RFC 6265 cookie-octets, roughly): anything else cannot be sent. */
const COOKIE_VALUE = /^[\x21-\x7e]+$/;

/**
 * The stored Okta session or device-token cookie, or undefined when there is none or it cannot be
 * used: both are disposable (a login makes new ones), so a damaged item is a cache miss, not an
 * error that would block every login until someone removes it by hand.
 */
async function disposableCookie(ctx: AppContext, keyring: Keyring, key: string): Promise<string | undefined> {
  let value: string | undefined;
  try {
    value = await getSecretString(keyring, key);
  } catch (error) {
    if (!(error instanceof KeyringError && error.reason === "corrupted")) throw error;
    ctx.debug(`okta: the "${key}" item is corrupted; logging in without it`);
    return undefined;
  }
  if (value === undefined || COOKIE_VALUE.test(value)) return value;
  ctx.debug(`okta: the "${key}" item holds no usable cookie; logging in without it`);
  return undefined;
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
