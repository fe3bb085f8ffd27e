/**
 * The AWS app as Okta serves it (§1.5, §1.6): the embed link `/home/amazon_aws/<app>/<n>` (SAML
 * form page, sign-in redirect, step-up page, 403/404 pages), `/login/sessionCookieRedirect`, the
 * sign-in page, and the `/app/amazon_aws/<app>/sso/saml` alias.
 *
 * @module
 */

import { errorPage, samlFormPage, signInPage, stepUpPage } from "./html.ts";
import { html, redirect, type Route, type SimContext } from "./http.ts";
import { newTransaction } from "./okta_transaction.ts";
import { ensureDeviceCookie, redeemSessionToken, setSessionCookie } from "./okta_sessions.ts";
import { issueSamlResponse } from "./saml.ts";
import type { SimApp } from "./state.ts";

function page(ctx: SimContext, body: string, status: number, headers = new Headers()): Response {
  ensureDeviceCookie(ctx, headers);
  return html(body, status, headers);
}

function errorHtml(ctx: SimContext, status: number, title: string, message: string): Response {
  return page(ctx, errorPage({ orgName: ctx.state.settings.orgName, title, message }), status);
}

function loginRedirect(ctx: SimContext, fromUri: string, headers = new Headers()): Response {
  ensureDeviceCookie(ctx, headers);
  return redirect(`${ctx.origin}/login/login.htm?fromURI=${encodeURIComponent(fromUri)}`, headers);
}

/** Serves the app link for a known app: SAML with a session, else sign-in or step-up. */
function serveApp(ctx: SimContext, app: SimApp): Response {
  const { state } = ctx;
  const appPath = `/home/amazon_aws/${app.id}/${app.n}`;
  const headers = new Headers();
  let session = redeemSessionToken(state, ctx.url.searchParams.get("onetimetoken"));
  if (session) setSessionCookie(headers, session);
  session ??= state.liveSession(ctx.cookies.get("sid"));
  if (!session) return loginRedirect(ctx, appPath, headers);

  const user = state.userById(session.userId)!;
  // The user's own copy of the app decides roles and policy, so tests can vary them per user.
  const assigned = user.apps.find((a) => a.id === app.id && a.n === app.n);
  if (!assigned) {
    ensureDeviceCookie(ctx, headers);
    const body = errorPage({
      orgName: state.settings.orgName,
      title: "403 - Forbidden",
      message: "You do not have permission to access the feature you are requesting",
    });
    return html(body, 403, headers);
  }
  if (assigned.stepUp && !session.mfa) {
    const status = user.factors.length > 0 ? "MFA_REQUIRED" as const : "MFA_ENROLL" as const;
    const tx = newTransaction(state, user, status, {
      stepUp: { sessionId: session.id, appId: app.id, n: app.n },
    });
    const body = stepUpPage({
      orgName: state.settings.orgName,
      stateToken: tx.stateToken,
      fromUri: appPath,
      appLabel: assigned.label,
    });
    return page(ctx, body, 200, headers);
  }
  const { base64, acsUrl } = issueSamlResponse(state, user, assigned, { mfa: session.mfa });
  state.bump("saml:issued");
  const body = samlFormPage({
    orgName: state.settings.orgName,
    acsUrl,
    samlResponse: base64,
    relayState: "",
  });
  return page(ctx, body, 200, headers);
}

function embedLink(ctx: SimContext): Response {
  const app = ctx.state.findApp(ctx.params.app ?? "", ctx.params.n ?? "");
  if (!app) {
    return errorHtml(ctx, 404, "404 - Page Not Found", "The page you are looking for can't be found");
  }
  return serveApp(ctx, app);
}

function ssoSaml(ctx: SimContext): Response {
  const id = ctx.params.app ?? "";
  const app = ctx.state.users.flatMap((u) => u.apps).find((a) => a.id === id);
  if (!app) {
    return errorHtml(ctx, 404, "404 - Page Not Found", "The page you are looking for can't be found");
  }
  return serveApp(ctx, app);
}

function sessionCookieRedirect(ctx: SimContext): Response {
  const redirectUrl = ctx.url.searchParams.get("redirectUrl");
  let target: URL | undefined;
  try {
    target = redirectUrl ? new URL(redirectUrl, ctx.origin) : undefined;
  } catch {
    target = undefined;
  }
  // Okta only redirects to trusted origins; for the simulator that is itself.
  if (!target || target.origin !== ctx.origin) {
    return errorHtml(ctx, 400, "400 - Bad Request", "The redirect URL is not allowed");
  }
  const session = redeemSessionToken(ctx.state, ctx.url.searchParams.get("token"));
  if (!session) return loginRedirect(ctx, target.pathname + target.search);
  const headers = new Headers();
  setSessionCookie(headers, session);
  ensureDeviceCookie(ctx, headers);
  return redirect(target.href, headers);
}

function loginPage(ctx: SimContext): Response {
  const fromUri = ctx.url.searchParams.get("fromURI") ?? "/";
  return page(ctx, signInPage({ orgName: ctx.state.settings.orgName, fromUri }), 200);
}

function root(ctx: SimContext): Response {
  return loginRedirect(ctx, "/");
}

/** The app and login-page routes. */
export const appRoutes: Route[] = [
  { method: "GET", pattern: "/", handler: root },
  { method: "GET", pattern: "/home/amazon_aws/:app/:n", handler: embedLink },
  { method: "GET", pattern: "/app/amazon_aws/:app/sso/saml", handler: ssoSaml },
  { method: "GET", pattern: "/login/sessionCookieRedirect", handler: sessionCookieRedirect },
  { method: "GET", pattern: "/login/login.htm", handler: loginPage },
];
