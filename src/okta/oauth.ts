/**
 * The OAuth 2.0 wire basics every Identity Engine call shares: form-encoded POSTs to Okta's
 * authorization server, token responses, and error answers (`error`/`error_description` in JSON,
 * or the `WWW-Authenticate: Bearer …` header on 401/403) turned into {@linkcode OAuthError}.
 *
 * Messages name the endpoint path and Okta's own error text, never a token or a form value.
 *
 * @module
 */

import { AppError, type AppErrorOptions, isRecord, serverText } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";

/** An OAuth error answer, kept machine-readable so callers can branch on {@linkcode error}. */
export class OAuthError extends AppError {
  /** The OAuth `error` code, e.g. "authorization_pending", "invalid_grant"; "" when none was sent. */
  readonly error: string;
  /** Okta's `error_description` (one line, no trailing period); "" when none was sent. */
  readonly description: string;
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(
    message: string,
    details: { error: string; description: string; status: number },
    options: AppErrorOptions = {},
  ) {
    super(message, options);
    this.name = "OAuthError";
    this.error = details.error;
    this.description = details.description;
    this.status = details.status;
  }
}

/** Tokens from Okta's token endpoint (device code, refresh or client-credentials grants). */
export interface TokenSet {
  /** The access token (a secret). */
  accessToken: string;
  /** Usually "Bearer". */
  tokenType: string;
  /** Lifetime of the access token in seconds, as Okta sent it. */
  expiresIn: number;
  /** Granted scopes, space-separated. */
  scope?: string;
  /** The OIDC id token (a JWT; a secret). */
  idToken?: string;
  /** Present when `offline_access` was granted. */
  refreshToken?: string;
  /** Present when `device_sso` was granted. */
  deviceSecret?: string;
}

/** A parsed 2xx JSON answer. */
export interface OAuthAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * POSTs `form` (form-encoded) to `url` and returns the 2xx JSON answer. Any other answer throws an
 * {@linkcode OAuthError} (when Okta said why) or an {@linkcode AppError}.
 */
export async function postForm(
  fetch: Fetch,
  url: URL,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<OAuthAnswer> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
      "cache-control": "no-cache",
      ...headers,
    },
    body: new URLSearchParams(form).toString(),
  });
  return await readJsonAnswer(response, "POST", url);
}

/** Reads a JSON answer; non-2xx answers become errors (see {@linkcode oauthErrorOf}). */
export async function readJsonAnswer(response: Response, method: string, url: URL): Promise<OAuthAnswer> {
  const text = await response.text();
  const body = parseJsonObject(text);
  if (response.status >= 200 && response.status < 300) {
    if (!body) {
      throw new AppError(
        `Okta answered ${method} "${url.pathname}" with HTTP ${response.status} but no JSON`,
        { hint: "check the Okta domain and any proxy in between" },
      );
    }
    return { status: response.status, headers: response.headers, body };
  }
  throw oauthErrorOf(method, url, response.status, response.headers, body);
}

/**
 * The error for a failed OAuth call: JSON `error`/`error_description` first, then the
 * `WWW-Authenticate` header, then Okta's API `errorCode`/`errorSummary`, else the bare status.
 */
export function oauthErrorOf(
  method: string,
  url: URL,
  status: number,
  headers: Headers,
  body: Record<string, unknown> | undefined,
): AppError {
  const path = url.pathname;
  let error = typeof body?.error === "string" ? body.error : "";
  let description = typeof body?.error_description === "string" ? serverText(body.error_description) : "";
  if (!error) {
    const challenge = parseWwwAuthenticate(headers.get("www-authenticate") ?? "");
    error = challenge.error ?? "";
    description = challenge.error_description ? serverText(challenge.error_description) : description;
  }
  if (!error && typeof body?.errorCode === "string") {
    error = body.errorCode;
    description = typeof body.errorSummary === "string" ? serverText(body.errorSummary) : "";
  }
  if (!error) {
    return new AppError(`Okta answered ${method} "${path}" with HTTP ${status}`, {
      hint: status >= 500
        ? "Okta or a proxy in between is failing; try again later"
        : "check the Okta domain and any proxy in between",
    });
  }
  const detail = description ? `${description} (${error})` : error;
  return new OAuthError(`Okta refused ${method} "${path}": ${detail}`, { error, description, status });
}

/** Parses the parameters of a `WWW-Authenticate: Bearer a="b", c="d"` header. */
export function parseWwwAuthenticate(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  const body = header.replace(/^\s*\w+\s+/, "");
  for (const match of body.matchAll(/([\w-]+)\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^\s,]*))/g)) {
    const name = match[1]!;
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3] ?? "";
    params[name] = value;
  }
  return params;
}

/** Reads a token endpoint answer; throws when the access token is missing. */
export function parseTokenSet(body: Record<string, unknown>, path: string): TokenSet {
  const accessToken = body.access_token;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw new AppError(`Okta answered "${path}" without an access token`, {
      hint: "check the Okta domain and any proxy in between",
    });
  }
  const expiresIn = Number(body.expires_in);
  const tokens: TokenSet = {
    accessToken,
    tokenType: typeof body.token_type === "string" && body.token_type ? body.token_type : "Bearer",
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600,
  };
  if (typeof body.scope === "string") tokens.scope = body.scope;
  if (typeof body.id_token === "string" && body.id_token) tokens.idToken = body.id_token;
  if (typeof body.refresh_token === "string" && body.refresh_token) tokens.refreshToken = body.refresh_token;
  if (typeof body.device_secret === "string" && body.device_secret) tokens.deviceSecret = body.device_secret;
  return tokens;
}

/**
 * The claims of a JWT, decoded without checking the signature: only for display (who logged in),
 * never for a trust decision. Undefined when it is not a JWT.
 */
export function unverifiedClaims(jwt: string): Record<string, unknown> | undefined {
  const payload = jwt.split(".")[1];
  if (!payload) return undefined;
  try {
    const text = new TextDecoder().decode(Uint8Array.fromBase64(payload, { alphabet: "base64url" }));
    return parseJsonObject(text);
  } catch {
    return undefined;
  }
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
