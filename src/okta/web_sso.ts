/**
 * Redeeming a web SSO token at `/login/token/sso`: POST with the form body `token=…` (GET with the
 * token in the query when the server answers 405, as older Okta did), which answers with the same
 * SAML form page as the Classic app link.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { parseAppPage } from "./saml_page.ts";

/** Input of {@linkcode redeemWebSsoToken}. */
export interface WebSsoInput {
  fetch: Fetch;
  baseUrl: URL;
  /** The one-time web SSO token (a secret). */
  token: string;
  /** The app, for messages. */
  appId: string;
  debug?: (line: string) => void;
}

/** Returns the base64 SAMLResponse for the web SSO token. */
export async function redeemWebSsoToken(input: WebSsoInput): Promise<string> {
  const url = new URL("/login/token/sso", input.baseUrl);
  let response = await input.fetch(url, {
    method: "POST",
    headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: input.token }).toString(),
  });
  if (response.status === 405) {
    await response.body?.cancel();
    input.debug?.("okta: /login/token/sso refused POST; using GET");
    const get = new URL(url);
    get.searchParams.set("token", input.token);
    response = await input.fetch(get, { headers: { accept: "text/html" } });
  }
  const page = await parseAppPage(await response.text(), response.status);
  if (page.kind === "saml") return page.samlResponse;
  throw new AppError(
    `Okta answered the web SSO token for app "${input.appId}" without a SAML response (HTTP ${response.status})`,
    {
      hint: page.kind === "error"
        ? "check that the AWS app is assigned to you, then run the command again"
        : "the token was used or expired; run the command again",
    },
  );
}
