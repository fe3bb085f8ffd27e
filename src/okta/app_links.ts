/**
 * Finding the user's AWS apps: `GET /api/v1/users/me/appLinks` with the access token (scope
 * `okta.users.read.self`) or, for a Classic login, the Okta session cookie as the dashboard sends
 * it; every page (Link `rel="next"`), keeping `appName == "amazon_aws"`.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { OAuthError, readJsonAnswer } from "./oauth.ts";

/** One AWS app assigned to the user. */
export interface AwsAppLink {
  /** App instance id (`0oa…`): the token exchange audience. */
  id: string;
  /** Dashboard label, for the prompt. */
  label: string;
  /** The Classic embed link, when Okta sent it. */
  linkUrl?: string;
}

/** Input of {@linkcode listAwsAppLinks}. */
export interface AppLinksInput {
  fetch: Fetch;
  baseUrl: URL;
  /** The OAuth access token (Identity Engine); without it, `sessionCookie` is sent. */
  accessToken?: string;
  /** Token type for the Authorization header; "Bearer" by default. */
  tokenType?: string;
  /** The Okta session cookie (`sid`) of a Classic login. */
  sessionCookie?: string;
}

/** Stops a server whose `next` links loop. */
const MAX_PAGES = 100;

/** Lists the AWS apps assigned to the signed-in user, across all pages. */
export async function listAwsAppLinks(input: AppLinksInput): Promise<AwsAppLink[]> {
  const apps: AwsAppLink[] = [];
  const seen = new Set<string>();
  let url: URL | undefined = new URL("/api/v1/users/me/appLinks", input.baseUrl);
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (input.accessToken !== undefined) {
      headers["authorization"] = `${input.tokenType ?? "Bearer"} ${input.accessToken}`;
    } else if (input.sessionCookie !== undefined) {
      headers["cookie"] = `sid=${input.sessionCookie}`;
    }
    const response = await input.fetch(url, { headers });
    let body: unknown;
    try {
      // The body is an array; readJsonAnswer wants an object, so wrap errors only.
      if (response.status >= 200 && response.status < 300) {
        body = JSON.parse(await response.text());
      } else {
        await readJsonAnswer(response, "GET", url);
      }
    } catch (error) {
      throw appLinksError(error, input.accessToken !== undefined);
    }
    if (!Array.isArray(body)) {
      throw new AppError(`Okta answered "${url.pathname}" with something other than a list`, {
        hint: "check the Okta domain and any proxy in between",
      });
    }
    for (const link of body) {
      if (typeof link !== "object" || link === null) continue;
      const { appName, appInstanceId, label, linkUrl } = link as Record<string, unknown>;
      if (appName !== "amazon_aws" || typeof appInstanceId !== "string" || seen.has(appInstanceId)) continue;
      seen.add(appInstanceId);
      const app: AwsAppLink = { id: appInstanceId, label: typeof label === "string" ? label : appInstanceId };
      if (typeof linkUrl === "string") app.linkUrl = linkUrl;
      apps.push(app);
    }
    url = nextLink(response.headers.get("link"), url);
  }
  return apps;
}

/** The `rel="next"` target of a Link header, on the same origin; undefined when there is none. */
export function nextLink(header: string | null, current: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>(.*)/.exec(part.trim());
    if (!match) continue;
    const rels = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2] ?? "")?.[1]?.split(/\s+/) ?? [];
    if (!rels.includes("next")) continue;
    const next = new URL(match[1]!, current);
    // A token must never be sent to another host, whatever the header says.
    return next.origin === current.origin ? next : undefined;
  }
  return undefined;
}

/**
 * True when Okta refused the app list because the Okta session (cookie) is missing or over, or
 * the token is no longer valid: signing in again helps.
 */
export function isSignedOut(error: unknown): boolean {
  return error instanceof OAuthError &&
    (error.error === "E0000005" || error.error === "invalid_token" || error.error === "E0000011" ||
      error.status === 401);
}

function appLinksError(error: unknown, withToken: boolean): unknown {
  if (error instanceof SyntaxError) {
    return new AppError("Okta answered the app list with invalid JSON", {
      hint: "check the Okta domain and any proxy in between",
    });
  }
  if (!(error instanceof OAuthError)) return error;
  if (withToken && (error.error === "insufficient_scope" || error.error === "E0000006")) {
    return new OAuthError(`Okta refused to list your apps: ${error.description || error.error}`, error, {
      hint:
        'grant the "okta.users.read.self" scope to the OIDC app, or name the AWS app with okta_aws_fed_app_id (okta-aws-cli: --aws-acct-fed-app-id)',
    });
  }
  return error;
}
