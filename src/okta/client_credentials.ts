/**
 * Machine-to-machine tokens: the client credentials grant with `private_key_jwt` client
 * authentication against a custom authorization server
 * (`POST https://<org>/oauth2/<authz-id>/v1/token`).
 *
 * @module
 */

import type { Fetch } from "../net/fetch.ts";
import { OAuthError, parseTokenSet, postForm, type TokenSet } from "./oauth.ts";
import { type SigningKey, signJwt } from "./private_key.ts";

/** Input of {@linkcode clientCredentialsToken}. */
export interface ClientCredentialsInput {
  fetch: Fetch;
  baseUrl: URL;
  /** The API service app's client id. */
  clientId: string;
  /** The custom authorization server id ("default" for Okta's default one). */
  authzId: string;
  /** Scopes to ask for. */
  scopes: readonly string[];
  /** The private key registered with the app. */
  key: SigningKey;
  /** The key's id in the app's JWKS (`kid`). */
  keyId?: string;
  /** The clock (tests). */
  now?: () => Date;
}

/** The token endpoint of a custom authorization server. */
export function customTokenUrl(baseUrl: URL, authzId: string): URL {
  return new URL(`/oauth2/${encodeURIComponent(authzId)}/v1/token`, baseUrl);
}

/**
 * The client assertion: iss = sub = client id, aud = the token URL, iat, exp (5 minutes: it is
 * used at once), and a random jti so Okta can refuse a replay.
 */
export async function clientAssertion(input: ClientCredentialsInput, audience: URL): Promise<string> {
  const issuedAt = Math.floor((input.now?.() ?? new Date()).getTime() / 1000);
  return await signJwt(input.key, {
    iss: input.clientId,
    sub: input.clientId,
    aud: audience.href,
    iat: issuedAt,
    exp: issuedAt + 300,
    jti: crypto.randomUUID(),
  }, input.keyId);
}

/** Gets an access token for the client. */
export async function clientCredentialsToken(input: ClientCredentialsInput): Promise<TokenSet> {
  const url = customTokenUrl(input.baseUrl, input.authzId);
  const assertion = await clientAssertion(input, url);
  try {
    const answer = await postForm(input.fetch, url, {
      grant_type: "client_credentials",
      scope: input.scopes.join(" "),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    });
    return parseTokenSet(answer.body, url.pathname);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    const said = error.description || error.error;
    const hints: Record<string, string> = {
      invalid_client:
        "check the client id, the key id and that the app's public key matches the private key (private_key_jwt)",
      invalid_scope: `check --custom-scope: the authorization server "${input.authzId}" must define it`,
      unauthorized_client: 'enable the "Client Credentials" grant on the API service app',
      access_denied: `check the access policies of the authorization server "${input.authzId}"`,
    };
    throw new OAuthError(
      `Okta refused client credentials for "${input.clientId}": ${said}`,
      error,
      { hint: hints[error.error] ?? `check the authorization server id "${input.authzId}" (--authz-id)` },
    );
  }
}
