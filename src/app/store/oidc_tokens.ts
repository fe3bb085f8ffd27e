/**
 * The OIDC tokens of the device flow (access, id, refresh token, device secret and their expiry)
 * as one keyring item per Okta org and OIDC client, so a cached or refreshable token means no
 * browser. Nothing here is ever written outside the keyring.
 *
 * @module
 */

import { goJsonStringify } from "../../keyring/go_json.ts";
import { KeyNotFoundError, type Keyring, KeyringError } from "../../keyring/keyring.ts";

/** The stored tokens. */
export interface OidcTokens {
  /** Access token. */
  accessToken: string;
  /** Token type for the Authorization header (usually "Bearer"). */
  tokenType: string;
  /** When the access token expires, RFC 3339. */
  expiresAt: string;
  /** Granted scopes, space-separated. */
  scope?: string;
  /** The OIDC id token (needed for the token exchange). */
  idToken?: string;
  /** Refresh token, when offline_access was granted. */
  refreshToken?: string;
  /** Device secret, when device_sso was granted. */
  deviceSecret?: string;
  /** Who signed in (the id token's preferred_username), for session names. */
  username?: string;
}

const PREFIX = "okta-oidc-tokens";
const LABEL = "okta oidc tokens";

/** The item key for an org host (e.g. "acme.okta.com") and client id. */
export function oidcTokensKey(host: string, clientId: string): string {
  return `${PREFIX} ${host.toLowerCase()} ${clientId}`;
}

/** The stored tokens, or undefined when there are none or the item is unreadable. */
export async function getOidcTokens(kr: Keyring, key: string): Promise<OidcTokens | undefined> {
  let data: Uint8Array;
  try {
    data = (await kr.get(key)).data;
  } catch (error) {
    if (error instanceof KeyNotFoundError) return undefined;
    // A corrupted item is as good as none: the next sign-in overwrites it.
    if (error instanceof KeyringError && error.reason === "corrupted") return undefined;
    throw error;
  }
  return parseTokens(data);
}

/** Stores the tokens under `key`. */
export async function setOidcTokens(kr: Keyring, key: string, tokens: OidcTokens): Promise<void> {
  const json: Record<string, string> = {
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    expiresAt: tokens.expiresAt,
  };
  for (const field of ["scope", "idToken", "refreshToken", "deviceSecret", "username"] as const) {
    const value = tokens[field];
    if (value !== undefined) json[field] = value;
  }
  await kr.set({ key, data: new TextEncoder().encode(goJsonStringify(json)), label: LABEL });
}

/** Forgets the tokens (a stale refresh token, a terminated session). */
export async function removeOidcTokens(kr: Keyring, key: string): Promise<void> {
  await kr.remove(key);
}

function parseTokens(data: Uint8Array): OidcTokens | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const { accessToken, tokenType, expiresAt } = record;
  if (typeof accessToken !== "string" || !accessToken) return undefined;
  if (typeof expiresAt !== "string" || Number.isNaN(Date.parse(expiresAt))) return undefined;
  const tokens: OidcTokens = {
    accessToken,
    tokenType: typeof tokenType === "string" && tokenType ? tokenType : "Bearer",
    expiresAt,
  };
  for (const field of ["scope", "idToken", "refreshToken", "deviceSecret", "username"] as const) {
    const fieldValue = record[field];
    if (typeof fieldValue === "string" && fieldValue !== "") tokens[field] = fieldValue;
  }
  return tokens;
}
