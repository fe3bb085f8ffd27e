/**
 * The token endpoint calls after device authorization: refreshing tokens with the refresh token,
 * and the token exchange that turns the access + id token into a one-time web SSO token for the
 * AWS app (`audience urn:okta:apps:<appId>`).
 *
 * Okta's assurance and policy refusals become one-line errors that say it is the AWS app's
 * sign-on policy, name the client id and the app id, and point at the README.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { OAuthError, parseTokenSet, postForm, type TokenSet } from "./oauth.ts";

/** Input of {@linkcode refreshTokens}. */
export interface RefreshInput {
  fetch: Fetch;
  baseUrl: URL;
  clientId: string;
  refreshToken: string;
  /** Scopes to ask for (a subset of the original grant); the original ones when omitted. */
  scopes?: readonly string[];
}

/**
 * Redeems a refresh token. Okta may rotate it: the answer's `refreshToken` replaces the old one.
 * Throws {@linkcode OAuthError} `invalid_grant` when the refresh token is no longer good.
 */
export async function refreshTokens(input: RefreshInput): Promise<TokenSet> {
  const url = new URL("/oauth2/v1/token", input.baseUrl);
  const form: Record<string, string> = {
    client_id: input.clientId,
    grant_type: "refresh_token",
    refresh_token: input.refreshToken,
  };
  if (input.scopes) form.scope = input.scopes.join(" ");
  const answer = await postForm(input.fetch, url, form);
  return parseTokenSet(answer.body, url.pathname);
}

/** Input of {@linkcode exchangeWebSsoToken}. */
export interface WebSsoExchangeInput {
  fetch: Fetch;
  baseUrl: URL;
  clientId: string;
  /** The access token (needs the `okta.apps.sso` scope). */
  accessToken: string;
  /** The id token. */
  idToken: string;
  /** The AWS app instance id (`0oa…`). */
  appId: string;
}

const EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const WEB_SSO_TOKEN = "urn:okta:oauth:token-type:web_sso_token";
const DOCS = 'see "Device authorization" in the aws-okta README';

/**
 * Exchanges the tokens for a web SSO token for the AWS app. A stale or terminated session comes
 * back as {@linkcode OAuthError} `invalid_grant` with {@linkcode isStaleSubject} true, so the
 * caller can drop the tokens and sign in again.
 */
export async function exchangeWebSsoToken(input: WebSsoExchangeInput): Promise<string> {
  const url = new URL("/oauth2/v1/token", input.baseUrl);
  let answer;
  try {
    answer = await postForm(input.fetch, url, {
      client_id: input.clientId,
      actor_token: input.accessToken,
      actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: input.idToken,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      grant_type: EXCHANGE_GRANT,
      requested_token_type: WEB_SSO_TOKEN,
      audience: `urn:okta:apps:${input.appId}`,
    });
  } catch (error) {
    throw exchangeError(error, input);
  }
  const token = answer.body.access_token;
  if (typeof token !== "string" || token === "") {
    throw new AppError(`Okta answered the token exchange for app "${input.appId}" without a token`, {
      hint: "check the Okta domain and any proxy in between",
    });
  }
  return token;
}

/** True for the refusal that means "sign in again": the id token expired or its session ended. */
export function isStaleSubject(error: unknown): boolean {
  if (!(error instanceof OAuthError)) return false;
  if (error.error === "invalid_token") return true;
  if (error.error !== "invalid_grant") return false;
  return !/assurance|policy|configured to allow|audience/i.test(error.description);
}

function exchangeError(error: unknown, input: WebSsoExchangeInput): unknown {
  if (!(error instanceof OAuthError)) return error;
  const said = error.description || error.error;
  const who = `client "${input.clientId}", app "${input.appId}"`;
  if (/assurance/i.test(error.description) || /policy/i.test(error.description)) {
    return new OAuthError(`the AWS app's sign-on policy refused this sign-in (${who}): ${said}`, error, {
      hint:
        'the Okta app\'s authentication policy must accept a device-flow sign-in (device state "Any", no device assurance or FastPass rule); ask your Okta admin, ' +
        DOCS,
    });
  }
  if (/configured to allow/i.test(error.description) || error.error === "invalid_target") {
    return new OAuthError(
      `the AWS app does not accept web SSO tokens from this client (${who}): ${said}`,
      error,
      {
        hint:
          `in the AWS app's sign-on settings, allow "${input.clientId}" as a Web SSO client (or check okta_aws_fed_app_id); ` +
          DOCS,
      },
    );
  }
  if (isStaleSubject(error)) {
    return new OAuthError(`the Okta sign-in is no longer valid (${who}): ${said}`, error, {
      hint: "run the command again to sign in once more",
    });
  }
  if (error.error === "invalid_scope" || error.error === "insufficient_scope") {
    return new OAuthError(`Okta refused the token exchange (${who}): ${said}`, error, {
      hint: `grant the "okta.apps.sso" scope to the OIDC app; ${DOCS}`,
    });
  }
  return new OAuthError(`Okta refused the token exchange (${who}): ${said}`, error, { hint: DOCS });
}
