/**
 * The AWS console federation endpoint (§4.6): `Action=getSigninToken` checks the session JSON
 * against credentials this simulator issued (and refuses SessionDuration for chained ones, as AWS
 * does), `Action=login` redirects to the Destination with a valid, unused token.
 *
 * Point AWS_OKTA_FEDERATION_ENDPOINT at `<sim url>/federation`.
 *
 * @module
 */

import type { Route, SimContext } from "./http.ts";
import { randomString } from "./ids.ts";
import type { SimState } from "./state.ts";

/** A sign-in token handed out by getSigninToken. */
export interface SigninTokenRecord {
  /** The credentials it was made from. */
  accessKeyId: string;
  /** Epoch ms (simulator clock). */
  issuedAt: number;
  /** SessionDuration asked for, if any. */
  sessionDuration?: number;
  /** Set once Action=login used it. */
  usedAt?: number;
}

/** A console login the simulator redirected. */
export interface ConsoleLoginRecord {
  /** The credentials behind the token. */
  accessKeyId: string;
  /** Destination it redirected to. */
  destination: string;
  /** Issuer, if given. */
  issuer?: string;
  /** SessionDuration of the token, if any. */
  sessionDuration?: number;
}

/** Federation records of one simulator. */
export interface FederationState {
  /** Tokens by value. */
  tokens: Map<string, SigninTokenRecord>;
  /** Successful logins, oldest first. */
  logins: ConsoleLoginRecord[];
  /** Refused requests with the reason, oldest first. */
  refusals: string[];
}

/** A sign-in token is good for 15 minutes. */
const TOKEN_TTL_MS = 15 * 60_000;
const states = new WeakMap<SimState, FederationState>();

/** The federation records of `state` (created empty on first use). */
export function federationState(state: SimState): FederationState {
  let found = states.get(state);
  if (!found) {
    found = { tokens: new Map(), logins: [], refusals: [] };
    states.set(state, found);
  }
  return found;
}

/** AWS answers refusals with an HTML page, not JSON. */
function refuse(ctx: SimContext, status: number, reason: string): Response {
  federationState(ctx.state).refusals.push(reason);
  return new Response(`<html><body><h1>${status}</h1><p>${reason}</p></body></html>\n`, {
    status,
    headers: { "content-type": "text/html" },
  });
}

async function params(ctx: SimContext): Promise<URLSearchParams> {
  const merged = new URLSearchParams(ctx.url.search);
  if (ctx.req.method === "POST") {
    for (const [name, value] of new URLSearchParams(await ctx.bodyText())) merged.set(name, value);
  }
  return merged;
}

async function federation(ctx: SimContext): Promise<Response> {
  const p = await params(ctx);
  switch (p.get("Action")) {
    case "getSigninToken":
      return getSigninToken(ctx, p);
    case "login":
      return login(ctx, p);
    default:
      return refuse(ctx, 400, `unknown Action "${p.get("Action")}"`);
  }
}

function getSigninToken(ctx: SimContext, p: URLSearchParams): Response {
  const { state } = ctx;
  let session: Record<string, unknown>;
  try {
    session = JSON.parse(p.get("Session") ?? "");
  } catch {
    return refuse(ctx, 400, "Session is not JSON");
  }
  const { sessionId, sessionKey, sessionToken } = session;
  if (typeof sessionId !== "string" || typeof sessionKey !== "string" || typeof sessionToken !== "string") {
    return refuse(ctx, 400, "Session needs sessionId, sessionKey and sessionToken");
  }
  const issued = state.credentials.get(sessionId);
  if (!issued || issued.secretAccessKey !== sessionKey || issued.sessionToken !== sessionToken) {
    return refuse(ctx, 400, "invalid credentials");
  }
  if (issued.expiresAt <= state.now()) return refuse(ctx, 400, "expired credentials");
  const durationText = p.get("SessionDuration");
  let sessionDuration: number | undefined;
  if (durationText !== null) {
    sessionDuration = Number(durationText);
    if (!/^\d+$/.test(durationText) || sessionDuration < 900 || sessionDuration > 43200) {
      return refuse(ctx, 400, `invalid SessionDuration "${durationText}"`);
    }
    // AssumeRole in this simulator is always role chaining (every caller holds role credentials).
    if (issued.action === "AssumeRole") return refuse(ctx, 400, "SessionDuration with chained credentials");
  }
  const token = randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 300);
  federationState(state).tokens.set(token, {
    accessKeyId: sessionId,
    issuedAt: state.now(),
    ...(sessionDuration !== undefined ? { sessionDuration } : {}),
  });
  return Response.json({ SigninToken: token });
}

function login(ctx: SimContext, p: URLSearchParams): Response {
  const fed = federationState(ctx.state);
  const record = fed.tokens.get(p.get("SigninToken") ?? "");
  if (!record) return refuse(ctx, 400, "unknown SigninToken");
  if (record.usedAt !== undefined) return refuse(ctx, 400, "SigninToken already used");
  if (record.issuedAt + TOKEN_TTL_MS <= ctx.state.now()) return refuse(ctx, 400, "expired SigninToken");
  const destination = p.get("Destination") ?? "";
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    return refuse(ctx, 400, "invalid Destination");
  }
  if (url.protocol !== "https:") return refuse(ctx, 400, "invalid Destination");
  record.usedAt = ctx.state.now();
  const issuer = p.get("Issuer");
  fed.logins.push({
    accessKeyId: record.accessKeyId,
    destination,
    ...(issuer !== null ? { issuer } : {}),
    ...(record.sessionDuration !== undefined ? { sessionDuration: record.sessionDuration } : {}),
  });
  return new Response(null, { status: 302, headers: { location: destination } });
}

/** GET and POST `/federation`. */
export const federationRoutes: Route[] = [
  { method: "GET", pattern: "/federation", handler: federation },
  { method: "POST", pattern: "/federation", handler: federation },
];
