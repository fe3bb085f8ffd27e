/**
 * OAuth 2.0 device authorization (RFC 8628) against Okta's org authorization server:
 * `POST /oauth2/v1/device/authorize`, then polling `POST /oauth2/v1/token` while the user approves
 * in a browser.
 *
 * Polling honours the server's `interval`, adds 5 s on `slow_down`, and stops on `expired_token`,
 * `access_denied`, `invalid_grant` or when the device code's `expires_in` has passed, each with a
 * message that says what happened and what to do.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { OAuthError, parseTokenSet, postForm, type TokenSet } from "./oauth.ts";

/** What `/oauth2/v1/device/authorize` answered. */
export interface DeviceAuthorization {
  /** The code the client polls with (a secret). */
  deviceCode: string;
  /** The code the user confirms in the browser, e.g. "WXKD-BPLM". */
  userCode: string;
  /** The page where the user types the code. */
  verificationUri: string;
  /** The same page with the code filled in, when Okta sent it. */
  verificationUriComplete?: string;
  /** Lifetime of the device code, seconds. */
  expiresIn: number;
  /** Minimum seconds between polls. */
  interval: number;
}

/** Input of {@linkcode startDeviceAuthorization}. */
export interface DeviceAuthorizeInput {
  fetch: Fetch;
  /** The org origin. */
  baseUrl: URL;
  /** The OIDC native app's client id. */
  clientId: string;
  /** Scopes to ask for. */
  scopes: readonly string[];
}

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** RFC 8628 §3.5: each slow_down adds 5 s to the interval. */
const SLOW_DOWN_STEP_S = 5;
/** The longest sign-in we wait for, whatever `expires_in` says (Okta's is 600 s): nothing polls forever. */
const MAX_DEVICE_CODE_SECONDS = 1800;

/** Starts a device authorization. */
export async function startDeviceAuthorization(input: DeviceAuthorizeInput): Promise<DeviceAuthorization> {
  const url = new URL("/oauth2/v1/device/authorize", input.baseUrl);
  let answer;
  try {
    answer = await postForm(input.fetch, url, { client_id: input.clientId, scope: input.scopes.join(" ") });
  } catch (error) {
    throw authorizeError(error, input.clientId);
  }
  const body = answer.body;
  const deviceCode = body.device_code;
  const userCode = body.user_code;
  const verificationUri = body.verification_uri;
  if (typeof deviceCode !== "string" || typeof userCode !== "string" || typeof verificationUri !== "string") {
    throw new AppError(`Okta answered "${url.pathname}" without a device code`, {
      hint: "check the Okta domain and any proxy in between",
    });
  }
  const expiresIn = Number(body.expires_in);
  const interval = Number(body.interval);
  const authorization: DeviceAuthorization = {
    deviceCode,
    userCode,
    verificationUri,
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0
      ? Math.min(expiresIn, MAX_DEVICE_CODE_SECONDS)
      : 600,
    interval: Number.isFinite(interval) && interval > 0 ? interval : 5,
  };
  if (typeof body.verification_uri_complete === "string") {
    authorization.verificationUriComplete = body.verification_uri_complete;
  }
  return authorization;
}

function authorizeError(error: unknown, clientId: string): unknown {
  if (!(error instanceof OAuthError)) return error;
  if (error.error === "invalid_client") {
    return new OAuthError(
      `Okta does not know the OIDC client "${clientId}": ${error.description || error.error}`,
      error,
      {
        hint:
          "check okta_oidc_client_id (okta-aws-cli: --oidc-client-id); it is the client id of a native OIDC app",
      },
    );
  }
  if (error.error === "unauthorized_client") {
    return new OAuthError(
      `the OIDC client "${clientId}" may not use the device flow: ${error.description || error.error}`,
      error,
      { hint: 'enable the "Device Authorization" and "Token Exchange" grant types on the Okta app' },
    );
  }
  return error;
}

/** Options of {@linkcode pollDeviceToken}. */
export interface PollDeviceTokenInput {
  fetch: Fetch;
  baseUrl: URL;
  clientId: string;
  /** What {@linkcode startDeviceAuthorization} returned. */
  authorization: DeviceAuthorization;
  /** Caps each wait (tests; AWS_OKTA_POLL_INTERVAL_MS); the server's interval otherwise. */
  maxWaitMs?: number;
  /** Sleeps (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock, epoch ms (injected by tests). */
  now?: () => number;
  /** Debug sink; no secrets. */
  debug?: (line: string) => void;
}

/** Polls the token endpoint until the user approves, denies, or the code expires. */
export async function pollDeviceToken(input: PollDeviceTokenInput): Promise<TokenSet> {
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = input.now ?? Date.now;
  const debug = input.debug ?? (() => {});
  const url = new URL("/oauth2/v1/token", input.baseUrl);
  const deadline = now() + input.authorization.expiresIn * 1000;
  let intervalS = input.authorization.interval;
  for (let polls = 1;; polls++) {
    const waitMs = Math.min(intervalS * 1000, input.maxWaitMs ?? Infinity);
    if (now() + waitMs >= deadline) throw expired();
    await sleep(waitMs);
    try {
      const answer = await postForm(input.fetch, url, {
        client_id: input.clientId,
        device_code: input.authorization.deviceCode,
        grant_type: DEVICE_GRANT,
      });
      debug(`okta: device authorization approved after ${polls} poll(s)`);
      return parseTokenSet(answer.body, url.pathname);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      switch (error.error) {
        case "authorization_pending":
          continue;
        case "slow_down":
          intervalS += SLOW_DOWN_STEP_S;
          debug(`okta: slow_down; polling every ${intervalS} s`);
          continue;
        case "expired_token":
          throw expired();
        case "access_denied":
          throw new OAuthError("the sign-in was denied in the browser", error, {
            hint:
              "run the command again and approve the request, or ask your Okta admin about the app's policy",
          });
        case "invalid_grant":
          throw new OAuthError(
            `Okta no longer accepts this device code: ${error.description || error.error}`,
            error,
            { hint: "run the command again to start a new sign-in" },
          );
        default:
          throw error;
      }
    }
  }
}

function expired(): AppError {
  return new OAuthError(
    "the device code expired before the sign-in was approved",
    { error: "expired_token", description: "", status: 400 },
    { hint: "run the command again and approve the request in the browser sooner" },
  );
}
