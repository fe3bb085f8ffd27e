/**
 * A factor that signs in at another identity provider (Duo's Universal Prompt behind Okta's
 * `claims_provider` factor) ends with Okta setting its session cookie on the way back, not with a
 * sessionToken in an Authn answer. Such a handler returns a SUCCESS answer marked here, and the
 * login goes on with the session now in the client's cookie jar.
 *
 * @module
 */

import type { AuthnResponse } from "./authn.ts";

const marked = new WeakSet<AuthnResponse>();

/** A SUCCESS answer without a sessionToken: Okta has opened the session (the `sid` cookie). */
export function sessionCookieAnswer(user?: NonNullable<AuthnResponse["_embedded"]>["user"]): AuthnResponse {
  const answer: AuthnResponse = { status: "SUCCESS" };
  if (user) answer._embedded = { user };
  marked.add(answer);
  return answer;
}

/** Whether an answer came from {@linkcode sessionCookieAnswer}. */
export function opensSessionCookie(answer: AuthnResponse): boolean {
  return marked.has(answer);
}
