/**
 * Okta sessions: redeeming a sessionToken into a `sid` cookie, and `/api/v1/sessions/me`.
 *
 * @module
 */

import { notFound } from "./errors.ts";
import { cookie, json, type Route, type SimContext } from "./http.ts";
import { newDeviceToken, newSessionId } from "./ids.ts";
import { oktaTime } from "./okta_transaction.ts";
import type { OktaSession, SimState } from "./state.ts";

/**
 * Redeems a one-time sessionToken into a new Okta session. Undefined when the token is unknown,
 * used or expired; it is spent either way.
 */
export function redeemSessionToken(state: SimState, token: string | null): OktaSession | undefined {
  if (!token) return undefined;
  const record = state.sessionTokens.get(token);
  state.sessionTokens.delete(token);
  if (!record || record.expiresAt <= state.now()) return undefined;
  const user = state.userById(record.userId);
  if (!user) return undefined;
  const now = state.now();
  const session: OktaSession = {
    id: newSessionId(),
    userId: user.id,
    login: user.login,
    createdAt: now,
    expiresAt: now + state.settings.sessionLifetimeMs,
    mfa: record.mfa,
    amr: record.amr,
  };
  state.sessions.set(session.id, session);
  return session;
}

/** Adds the `sid` cookie of a new session. */
export function setSessionCookie(headers: Headers, session: OktaSession): void {
  headers.append("set-cookie", cookie("sid", session.id));
}

/** Adds a `DT` cookie when the request had none, as every Okta HTML page does. */
export function ensureDeviceCookie(ctx: SimContext, headers: Headers): void {
  if (ctx.cookies.get("DT")) return;
  headers.append("set-cookie", cookie("DT", newDeviceToken(), { maxAge: 5 * 365 * 24 * 3600 }));
}

function sessionJson(ctx: SimContext, session: OktaSession): Record<string, unknown> {
  const { origin } = ctx;
  return {
    id: session.id,
    userId: session.userId,
    login: session.login,
    createdAt: oktaTime(session.createdAt),
    expiresAt: oktaTime(session.expiresAt),
    status: "ACTIVE",
    lastPasswordVerification: oktaTime(session.createdAt),
    lastFactorVerification: session.mfa ? oktaTime(session.createdAt) : null,
    amr: session.amr,
    idp: { id: "00o1abcdEFGH2345", type: "OKTA" },
    mfaActive: session.mfa,
    _links: {
      self: { href: `${origin}/api/v1/sessions/me`, hints: { allow: ["GET", "DELETE"] } },
      refresh: { href: `${origin}/api/v1/sessions/me/lifecycle/refresh`, hints: { allow: ["POST"] } },
      user: {
        name: session.login,
        href: `${origin}/api/v1/users/${session.userId}`,
        hints: { allow: ["GET"] },
      },
    },
  };
}

function currentSession(ctx: SimContext): OktaSession | undefined {
  return ctx.state.liveSession(ctx.cookies.get("sid"));
}

function getMe(ctx: SimContext): Response {
  const session = currentSession(ctx);
  return session ? json(sessionJson(ctx, session)) : notFound("me", "Session");
}

function deleteMe(ctx: SimContext): Response {
  const session = currentSession(ctx);
  if (!session) return notFound("me", "Session");
  ctx.state.sessions.delete(session.id);
  return new Response(null, { status: 204, headers: { "set-cookie": cookie("sid", "", { maxAge: 0 }) } });
}

function refreshMe(ctx: SimContext): Response {
  const session = currentSession(ctx);
  if (!session) return notFound("me", "Session");
  session.expiresAt = ctx.state.now() + ctx.state.settings.sessionLifetimeMs;
  return json(sessionJson(ctx, session));
}

/** The session routes. */
export const sessionRoutes: Route[] = [
  { method: "GET", pattern: "/api/v1/sessions/me", handler: getMe },
  { method: "DELETE", pattern: "/api/v1/sessions/me", handler: deleteMe },
  { method: "POST", pattern: "/api/v1/sessions/me/lifecycle/refresh", handler: refreshMe },
];
