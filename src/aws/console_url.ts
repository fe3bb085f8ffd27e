/**
 * AWS console sign-in through the federation endpoint: `getSigninToken` turns role credentials
 * into a sign-in token, and `Action=login` with that token opens a console session. Hosts differ
 * per partition (aws, aws-us-gov, aws-cn).
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { type Fetch, requireHttpsUnlessLoopback } from "../net/fetch.ts";
import type { AwsCredentials, Partition } from "./credentials.ts";

/** The shortest and longest console session `SessionDuration` accepts, in seconds. */
export const CONSOLE_SESSION_LIMITS = { min: 900, max: 43200 } as const;

const SIGNIN_HOSTS: Record<Partition, string> = {
  "aws": "signin.aws.amazon.com",
  "aws-us-gov": "signin.amazonaws-us-gov.com",
  "aws-cn": "signin.amazonaws.cn",
};

/**
 * The federation endpoint of a partition, or `override` (AWS_OKTA_FEDERATION_ENDPOINT) when set:
 * tests and private sign-in proxies use it.
 */
export function federationEndpoint(partition: Partition, override?: string): string {
  if (override) {
    let url: URL;
    try {
      url = new URL(override);
    } catch {
      throw new AppError(`invalid AWS_OKTA_FEDERATION_ENDPOINT "${override}"`, {
        hint: 'expected a URL such as "https://signin.aws.amazon.com/federation"',
      });
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new AppError(`invalid AWS_OKTA_FEDERATION_ENDPOINT "${override}": scheme must be http or https`);
    }
    requireHttpsUnlessLoopback("AWS_OKTA_FEDERATION_ENDPOINT", override, url);
    return url.href;
  }
  return `https://${SIGNIN_HOSTS[partition]}/federation`;
}

/**
 * Where the console opens: the partition's console home, or the region's console when a region
 * is known (GovCloud has one console host for both of its regions).
 */
export function consoleDestination(partition: Partition, region?: string): string {
  if (region !== undefined && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new AppError(`invalid AWS region "${region}"`, {
      hint: 'a region looks like "us-west-2"; check the region setting of the profile',
    });
  }
  const query = region ? `console/home?region=${encodeURIComponent(region)}` : "";
  switch (partition) {
    case "aws":
      return region ? `https://${region}.console.aws.amazon.com/${query}` : "https://console.aws.amazon.com/";
    case "aws-us-gov":
      return `https://console.amazonaws-us-gov.com/${query}`;
    case "aws-cn":
      return region ? `https://${region}.console.amazonaws.cn/${query}` : "https://console.amazonaws.cn/";
  }
}

/** Input of {@linkcode getSigninToken}. */
export interface SigninTokenInput {
  /** The federation endpoint ({@linkcode federationEndpoint}). */
  endpoint: string;
  /** Role credentials. */
  creds: AwsCredentials;
  /**
   * Console session length in seconds (900–43200). Only for credentials that did not come from
   * role chaining: the endpoint refuses the parameter with chained credentials.
   */
  sessionDuration?: number | undefined;
}

/**
 * Asks the federation endpoint for a sign-in token. The session JSON travels in a POST body, never
 * in a URL, so neither logs nor error messages can carry it.
 */
export async function getSigninToken(fetch: Fetch, input: SigninTokenInput): Promise<string> {
  const form = new URLSearchParams({ Action: "getSigninToken", SessionType: "json" });
  if (input.sessionDuration !== undefined) {
    const { min, max } = CONSOLE_SESSION_LIMITS;
    form.set("SessionDuration", String(Math.min(max, Math.max(min, Math.floor(input.sessionDuration)))));
  }
  form.set(
    "Session",
    JSON.stringify({
      sessionId: input.creds.accessKeyId,
      sessionKey: input.creds.secretAccessKey,
      sessionToken: input.creds.sessionToken,
    }),
  );
  const response = await fetch(input.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      accept: "application/json",
    },
    body: form,
  });
  const text = await response.text();
  const host = new URL(input.endpoint).host;
  if (!response.ok) {
    throw new AppError(
      `the AWS federation endpoint "${host}" refused the credentials: HTTP ${response.status}`,
      {
        hint: 'the role session may have expired; run again with "--refresh"',
      },
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || token === "") {
    throw new AppError(`the AWS federation endpoint "${host}" answered without a sign-in token`, {
      hint: "check AWS_OKTA_FEDERATION_ENDPOINT and any proxy in between",
    });
  }
  return token;
}

/** Input of {@linkcode loginUrl}. */
export interface LoginUrlInput {
  /** The federation endpoint. */
  endpoint: string;
  /** The sign-in token from {@linkcode getSigninToken}. */
  signinToken: string;
  /** The console URL to land on ({@linkcode consoleDestination}). */
  destination: string;
  /** Where the console sends the user when the session ends (the Okta app), if known. */
  issuer?: string | undefined;
}

/** The sign-in URL to open in a browser; valid for 15 minutes, and a credential until then. */
export function loginUrl(input: LoginUrlInput): string {
  const url = new URL(input.endpoint);
  const params = new URLSearchParams({ Action: "login" });
  if (input.issuer) params.set("Issuer", input.issuer);
  params.set("Destination", input.destination);
  params.set("SigninToken", input.signinToken);
  url.search = params.toString();
  return url.href;
}
