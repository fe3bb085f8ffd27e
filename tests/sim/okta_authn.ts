/**
 * Okta Classic Authn endpoints (§1.1): primary authentication, resuming a transaction by
 * stateToken, cancel, skip (password warning) and previous.
 *
 * @module
 */

import { oktaError } from "./errors.ts";
import { json, type Route, type SimContext } from "./http.ts";
import { afterPrimary, newTransaction, touch, transactionResponse } from "./okta_transaction.ts";

/** Parses a JSON object body; a Response (400 E0000003) when it is not one. */
export async function readJsonObject(ctx: SimContext): Promise<Record<string, unknown> | Response> {
  const text = await ctx.bodyText();
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Falls through to the error below, like any other body that is not a JSON object.
  }
  return oktaError("E0000003");
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The device token of a request: the DT cookie, else `context.deviceToken` from the body. */
export function deviceTokenOf(ctx: SimContext, body: Record<string, unknown>): string | undefined {
  const fromCookie = ctx.cookies.get("DT");
  if (fromCookie) return fromCookie;
  const context = body.context;
  if (context && typeof context === "object") {
    return text((context as Record<string, unknown>).deviceToken);
  }
  return undefined;
}

/** Loads the transaction and user for a stateToken body, or the 401 E0000011 response. */
export function transactionOf(ctx: SimContext, body: Record<string, unknown>) {
  const tx = ctx.state.liveTransaction(body.stateToken);
  const user = tx ? ctx.state.userById(tx.userId) : undefined;
  if (!tx || !user) return oktaError("E0000011");
  return { tx, user };
}

async function authn(ctx: SimContext): Promise<Response> {
  const body = await readJsonObject(ctx);
  if (body instanceof Response) return body;
  const username = text(body.username);
  if (username === undefined && body.stateToken !== undefined) {
    const found = transactionOf(ctx, body);
    if (found instanceof Response) return found;
    return transactionResponse(ctx, found.tx, found.user);
  }
  if (username === undefined) {
    return oktaError("E0000001", { causes: ["username: The field cannot be left blank"] });
  }
  return primary(ctx, username, text(body.password), deviceTokenOf(ctx, body));
}

function primary(ctx: SimContext, username: string, password: string | undefined, dt: string | undefined) {
  const { state, origin } = ctx;
  const user = state.userByLogin(username);
  if (!user) return oktaError("E0000004");
  const status = state.userStatus(user);
  // A locked account answers LOCKED_OUT whatever the password (that is how Okta leaks it), unless
  // the org hides lockouts behind the generic failure.
  if (status === "LOCKED_OUT") {
    if (state.settings.hideLockout) return oktaError("E0000004");
    return json({
      status: "LOCKED_OUT",
      _links: {
        next: { name: "unlock", href: `${origin}/api/v1/authn/recovery/unlock`, hints: { allow: ["POST"] } },
      },
    });
  }
  if (password !== user.password) return oktaError("E0000004");
  const extra = dt ? { deviceToken: dt } : {};
  switch (status) {
    case "PASSWORD_EXPIRED":
    case "PASSWORD_WARN":
    case "MFA_ENROLL":
      return transactionResponse(ctx, newTransaction(state, user, status, extra), user);
    default:
      return afterPrimary(ctx, user, dt);
  }
}

async function cancel(ctx: SimContext): Promise<Response> {
  const body = await readJsonObject(ctx);
  if (body instanceof Response) return body;
  const found = transactionOf(ctx, body);
  if (found instanceof Response) return found;
  ctx.state.transactions.delete(found.tx.stateToken);
  return json({ status: "UNAUTHENTICATED" });
}

async function skip(ctx: SimContext): Promise<Response> {
  const body = await readJsonObject(ctx);
  if (body instanceof Response) return body;
  const found = transactionOf(ctx, body);
  if (found instanceof Response) return found;
  const { tx, user } = found;
  if (tx.status !== "PASSWORD_WARN") return oktaError("E0000079");
  ctx.state.transactions.delete(tx.stateToken);
  return afterPrimary(ctx, user, ctx.cookies.get("DT") ?? tx.deviceToken);
}

async function previous(ctx: SimContext): Promise<Response> {
  const body = await readJsonObject(ctx);
  if (body instanceof Response) return body;
  const found = transactionOf(ctx, body);
  if (found instanceof Response) return found;
  const { tx, user } = found;
  if (tx.status !== "MFA_CHALLENGE") return oktaError("E0000079");
  tx.status = "MFA_REQUIRED";
  delete tx.factorId;
  delete tx.push;
  delete tx.codeSentAt;
  touch(ctx.state, tx);
  return transactionResponse(ctx, tx, user);
}

/** The Authn routes. */
export const authnRoutes: Route[] = [
  { method: "POST", pattern: "/api/v1/authn", handler: authn },
  { method: "POST", pattern: "/api/v1/authn/cancel", handler: cancel },
  { method: "POST", pattern: "/api/v1/authn/skip", handler: skip },
  { method: "POST", pattern: "/api/v1/authn/previous", handler: previous },
];
