/**
 * Duo's Universal Prompt behind Okta Classic: the `claims_provider` factor (Duo configured as an
 * identity provider "factor" in Okta) and Duo's frameless v4 prompt, on the simulator's listener.
 *
 * Duo answers only on `localhost:<port>` and Okta only on `127.0.0.1:<port>`, so a client that
 * sends cookies across hosts is caught (the request log keeps cookie names per request).
 *
 * Okta:
 * - verify answers MFA_CHALLENGE, factorResult CHALLENGE, `_links.next` named "redirect" to
 *   `/sso/idps/<idp>?stateToken=…` (GET);
 * - `GET /sso/idps/:idp` → 302 to Duo's `/oauth/v1/authorize` (client_id, response_type, scope and a
 *   JWT-shaped `request` carrying redirect_uri, state and duo_uname), setting `DT`;
 * - `GET /oauth2/v1/authorize/callback?state&code` checks Duo's code, opens the Okta session (`sid`
 *   cookie; a step-up upgrades the session it came from), remembers the device when the verify call
 *   asked, ends the transaction and redirects to the dashboard (or the app, for a step-up).
 *
 * Duo:
 * - `GET /oauth/v1/authorize` → 303 `/frame/frameless/v4/auth?sid=frameless-…&tx=…` with the
 *   `_xsrf|<sid>` cookie; `GET` there serves the plugin form; `POST` checks tx, `_xsrf` and the cookie,
 *   then redirects to the prompt (`/frame/v4/auth/prompt`, setting `trc|<sid>`), or first through the
 *   health check (`/frame/v4/preauth/healthcheck`, `…/data`, `/frame/v4/return` → post the form again)
 *   when `duo.healthcheck`, or to the 2023 `login-form` page (`GET /frame/prompt`) when
 *   `duo.legacyPrompt`, or answers the newest single-page prompt when `duo.singlePagePrompt`;
 * - `GET /frame/v4/auth/prompt/data` (needs `X-Xsrftoken` and the trc cookie): phones and methods;
 * - `POST /frame/v4/prompt` (or the legacy form's `POST /frame/prompt`): Duo Push, Phone Call,
 *   Passcode → txid; `POST /frame/v4/status`: pushed/calling → allow, deny or timeout from the
 *   factor's `push` behaviour, passcodes against its `code`;
 * - `POST /frame/v4/oidc/exit` (sid, txid, factor, device_key, `_xsrf`, dampen_choice) → 303 to
 *   Okta's callback with `state` and a one-time `code`.
 *
 * Counts: `duo:push`, `duo:call`, `duo:passcode` (methods started, shared with the traditional
 * prompt), `duo-up:exit` (approvals handed back to Okta), `duo-up:session` (Okta sessions opened).
 * Importing this module registers the `claims_provider` verifier.
 *
 * @module
 */

import { decideWaiting, type DuoTxn, pollTxn } from "./duo.ts";
import { errorPage } from "./html.ts";
import { cookie, html, json, redirect, type Route, type SimContext } from "./http.ts";
import { newSessionId, randomString } from "./ids.ts";
import { type FactorVerifier, factorVerifiers } from "./okta_factors.ts";
import { ensureDeviceCookie, setSessionCookie } from "./okta_sessions.ts";
import { factorProfile, oktaTime, policyJson, rememberDevice, userJson } from "./okta_transaction.ts";
import type { OktaSession, SimFactor, SimState, SimUser } from "./state.ts";
import {
  duoErrorPage,
  loginFormPage,
  pluginFormPage,
  reactShellPage,
  singlePagePromptPage,
} from "./duo_universal_pages.ts";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL = `${ALNUM}-_`;
/** The identity provider id in `/sso/idps/<id>` (one Duo IdP per org). */
export const DUO_IDP_ID = "0oaDUOidp0000000001";
/** The Duo integration's client id (Okta's side of the OIDC trust). */
export const DUO_CLIENT_ID = "DIOKTA0000000000000A";
const DUO_HOSTNAME = "localhost";
const CODE_TTL_MS = 60_000;
const DEFAULT_DEVICES = ["phone1", "phone2", "token"];

type Method = "Duo Push" | "Phone Call" | "Passcode";

/** Okta's side: one claims-provider challenge per transaction. */
interface IdpChallenge {
  stateToken: string;
  factorId: string;
  userId: string;
  /** `rememberDevice=true` was on the verify call. */
  rememberDevice: boolean;
}

/** Okta's pending OIDC request to Duo, by `state`. */
interface OidcRequest {
  challenge: IdpChallenge;
  redirectUri: string;
}

/** One frameless Duo session (`sid`). */
interface FramelessSession {
  sid: string;
  tx: string;
  xsrf: string;
  akey: string;
  state: string;
  factor: SimFactor;
  healthchecked: boolean;
  promptReady: boolean;
  trc?: string;
}

/** A started method (one txid). */
type UpTxn = DuoTxn;

interface Store {
  challenges: Map<string, IdpChallenge>;
  oidc: Map<string, OidcRequest>;
  sessions: Map<string, FramelessSession>;
  txns: Map<string, UpTxn>;
  /** code → state and expiry. */
  codes: Map<string, { state: string; expiresAt: number }>;
}

const stores = new WeakMap<SimState, Store>();

function store(state: SimState): Store {
  let found = stores.get(state);
  if (!found) {
    found = {
      challenges: new Map(),
      oidc: new Map(),
      sessions: new Map(),
      txns: new Map(),
      codes: new Map(),
    };
    stores.set(state, found);
  }
  return found;
}

/** Decides every waiting Universal Prompt push or call (for `manual` push behaviours). */
export function decideDuoUniversal(state: SimState, decision: "approve" | "reject" | "timeout"): number {
  return decideWaiting(store(state).txns.values(), decision);
}

function isDuoHost(ctx: SimContext): boolean {
  return ctx.url.hostname === DUO_HOSTNAME;
}

function duoOrigin(ctx: SimContext): string {
  return `${ctx.url.protocol}//${DUO_HOSTNAME}:${ctx.url.port}`;
}

function oktaOrigin(ctx: SimContext): string {
  return `${ctx.url.protocol}//127.0.0.1:${ctx.url.port}`;
}

function b64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function unb64url(text: string): string | undefined {
  try {
    return atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
}

/** A JWT-shaped string; the simulator reads the payload but does not sign. */
function jwt(payload: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: "HS512", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.${
    randomString(B64URL, 86)
  }`;
}

function jwtPayload(token: string): Record<string, unknown> | undefined {
  const text = unb64url(token.split(".")[1] ?? "");
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function form(ctx: SimContext): Promise<URLSearchParams> {
  return new URLSearchParams(await ctx.bodyText());
}

function duoFail(message: string, messageEnum: number, status = 200): Response {
  return json({ stat: "FAIL", code: 40002, message, message_enum: messageEnum }, status);
}

function notHere(ctx: SimContext): Response {
  return html(
    errorPage({
      orgName: ctx.state.settings.orgName,
      title: "404 - Page Not Found",
      message: "The page you are looking for can't be found",
    }),
    404,
  );
}

function userAndFactor(
  state: SimState,
  challenge: IdpChallenge,
): { user: SimUser; factor: SimFactor } | undefined {
  const user = state.userById(challenge.userId);
  const factor = user?.factors.find((f) => f.id === challenge.factorId);
  return user && factor ? { user, factor } : undefined;
}

// ---- Okta ----------------------------------------------------------------------------------------

/** The `claims_provider` verifier: every verify call answers the redirect to the IdP. */
const verifyClaimsProvider: FactorVerifier = (ctx, step) => {
  const { tx, user, factor } = step;
  const challenge: IdpChallenge = {
    stateToken: tx.stateToken,
    factorId: factor.id,
    userId: user.id,
    rememberDevice: ctx.url.searchParams.get("rememberDevice") === "true",
  };
  store(ctx.state).challenges.set(tx.stateToken, challenge);
  tx.status = "MFA_CHALLENGE";
  tx.factorId = factor.id;
  delete tx.push;
  delete tx.codeSentAt;
  const { origin } = ctx;
  return json({
    stateToken: tx.stateToken,
    expiresAt: oktaTime(tx.expiresAt),
    status: "MFA_CHALLENGE",
    factorResult: "CHALLENGE",
    challengeType: "FACTOR",
    _embedded: {
      user: userJson(user),
      factor: {
        id: factor.id,
        factorType: factor.factorType,
        provider: factor.provider,
        vendorName: "Duo Universal Prompt",
        profile: factorProfile(factor, user),
      },
      policy: policyJson(ctx.state),
    },
    _links: {
      next: {
        name: "redirect",
        href: `${origin}/sso/idps/${DUO_IDP_ID}?stateToken=${encodeURIComponent(tx.stateToken)}`,
        hints: { allow: ["GET"] },
      },
      prev: { href: `${origin}/api/v1/authn/previous`, hints: { allow: ["POST"] } },
      cancel: { href: `${origin}/api/v1/authn/cancel`, hints: { allow: ["POST"] } },
    },
  });
};

/** GET /sso/idps/:idp?stateToken=…: Okta sends the browser to Duo's OIDC authorize endpoint. */
function ssoIdp(ctx: SimContext): Response {
  if (isDuoHost(ctx) || ctx.params.idp !== DUO_IDP_ID) return notHere(ctx);
  const stateToken = ctx.url.searchParams.get("stateToken") ?? "";
  const tx = ctx.state.liveTransaction(stateToken);
  const challenge = store(ctx.state).challenges.get(stateToken);
  const found = challenge && userAndFactor(ctx.state, challenge);
  if (!tx || !challenge || !found || tx.factorId !== challenge.factorId) {
    return html(
      errorPage({
        orgName: ctx.state.settings.orgName,
        title: "403 - Forbidden",
        message: "Your session has expired. Please sign in again.",
      }),
      403,
    );
  }
  const state = randomString(ALNUM, 32);
  const redirectUri = `${oktaOrigin(ctx)}/oauth2/v1/authorize/callback`;
  store(ctx.state).oidc.set(state, { challenge, redirectUri });
  const request = jwt({
    response_type: "code",
    scope: "openid",
    exp: Math.floor(ctx.state.now() / 1000) + 300,
    client_id: DUO_CLIENT_ID,
    redirect_uri: redirectUri,
    state,
    duo_uname: found.user.login,
    iss: DUO_CLIENT_ID,
    aud: duoOrigin(ctx),
    nonce: randomString(ALNUM, 20),
  });
  const target = new URL("/oauth/v1/authorize", duoOrigin(ctx));
  target.searchParams.set("client_id", DUO_CLIENT_ID);
  target.searchParams.set("response_type", "code");
  target.searchParams.set("scope", "openid");
  target.searchParams.set("request", request);
  const headers = new Headers();
  ensureDeviceCookie(ctx, headers);
  return redirect(target.href, headers);
}

/** GET /oauth2/v1/authorize/callback?state&code: Duo's answer reaches Okta, which opens the session. */
function oktaCallback(ctx: SimContext): Response {
  if (isDuoHost(ctx)) return notHere(ctx);
  const duo = store(ctx.state);
  const state = ctx.url.searchParams.get("state") ?? "";
  const code = ctx.url.searchParams.get("code") ?? "";
  const issued = duo.codes.get(code);
  duo.codes.delete(code);
  const request = duo.oidc.get(state);
  const denied = (message: string) =>
    html(errorPage({ orgName: ctx.state.settings.orgName, title: "400 - Bad Request", message }), 400);
  if (!issued || issued.state !== state || issued.expiresAt <= ctx.state.now() || !request) {
    return denied("The identity provider's answer is not valid");
  }
  duo.oidc.delete(state);
  const { challenge } = request;
  const tx = ctx.state.liveTransaction(challenge.stateToken);
  const found = userAndFactor(ctx.state, challenge);
  if (!tx || !found) return denied("Your session has expired. Please sign in again.");

  const { state: sim } = ctx;
  const amr = ["pwd", "mfa", "duo"];
  let session: OktaSession | undefined = tx.stepUp ? sim.liveSession(tx.stepUp.sessionId) : undefined;
  if (session) {
    session.mfa = true;
    session.amr = [...new Set([...session.amr, ...amr])];
  } else {
    const now = sim.now();
    session = {
      id: newSessionId(),
      userId: found.user.id,
      login: found.user.login,
      createdAt: now,
      expiresAt: now + sim.settings.sessionLifetimeMs,
      mfa: true,
      amr,
    };
    sim.sessions.set(session.id, session);
  }
  const deviceToken = ctx.cookies.get("DT") ?? tx.deviceToken;
  if (challenge.rememberDevice && sim.policy.allowRememberDevice && deviceToken) {
    rememberDevice(sim, deviceToken, found.user.id);
  }
  sim.transactions.delete(tx.stateToken);
  sim.factorFailures.delete(found.user.id);
  duo.challenges.delete(tx.stateToken);
  sim.bump("duo-up:session");
  const headers = new Headers();
  setSessionCookie(headers, session);
  ensureDeviceCookie(ctx, headers);
  const next = tx.stepUp ? `/home/amazon_aws/${tx.stepUp.appId}/${tx.stepUp.n}` : "/app/UserHome";
  return redirect(`${ctx.origin}${next}`, headers);
}

// ---- Duo -----------------------------------------------------------------------------------------

/** GET /oauth/v1/authorize: Duo checks the request and opens a frameless session. */
function authorize(ctx: SimContext): Response {
  if (!isDuoHost(ctx)) return notHere(ctx);
  const params = ctx.url.searchParams;
  const payload = jwtPayload(params.get("request") ?? "");
  const request = typeof payload?.state === "string" ? store(ctx.state).oidc.get(payload.state) : undefined;
  const found = request && userAndFactor(ctx.state, request.challenge);
  if (
    params.get("client_id") !== DUO_CLIENT_ID || params.get("response_type") !== "code" || !payload ||
    payload.client_id !== DUO_CLIENT_ID || payload.redirect_uri !== request?.redirectUri || !found
  ) {
    return json({ error: "invalid_request", error_description: "The request is not valid" }, 400);
  }
  const sid = `frameless-${crypto.randomUUID()}`;
  const session: FramelessSession = {
    sid,
    tx: jwt({ sid, akey: DUO_CLIENT_ID, exp: Math.floor(ctx.state.now() / 1000) + 600 }),
    xsrf: randomString(ALNUM, 38),
    akey: "DAKEY00000000000000A",
    state: payload.state as string,
    factor: found.factor,
    healthchecked: false,
    promptReady: false,
  };
  store(ctx.state).sessions.set(sid, session);
  const headers = new Headers({ location: framelessPath(session) });
  headers.append("set-cookie", cookie(`_xsrf|${sid}`, `${btoa(session.xsrf)}|${Date.now()}|x`));
  return new Response(null, { status: 303, headers });
}

function framelessPath(session: FramelessSession): string {
  return `/frame/frameless/v4/auth?sid=${encodeURIComponent(session.sid)}&tx=${
    encodeURIComponent(session.tx)
  }`;
}

/** The session of a Duo request: sid from the query or the form, on the Duo host. */
function sessionOf(ctx: SimContext, sid: string | null): FramelessSession | undefined {
  if (!isDuoHost(ctx) || !sid) return undefined;
  return store(ctx.state).sessions.get(sid);
}

function hasXsrfCookie(ctx: SimContext, session: FramelessSession): boolean {
  const value = ctx.cookies.get(`_xsrf|${session.sid}`) ?? "";
  try {
    return atob(value.split("|")[0] ?? "") === session.xsrf;
  } catch {
    return false;
  }
}

function xsrfHeaderOk(ctx: SimContext, session: FramelessSession): boolean {
  return ctx.req.headers.get("x-xsrftoken") === session.xsrf && hasXsrfCookie(ctx, session);
}

function devicesOf(session: FramelessSession): string[] {
  return session.factor.duo?.devices ?? DEFAULT_DEVICES;
}

function phonesOf(session: FramelessSession): string[] {
  return devicesOf(session).filter((device) => device.startsWith("phone"));
}

/** GET /frame/frameless/v4/auth: the plugin form. */
function framelessPage(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session || ctx.url.searchParams.get("tx") !== session.tx) {
    return html(duoErrorPage("Your session has expired."), 400);
  }
  return html(pluginFormPage({ tx: session.tx, xsrf: session.xsrf, akey: session.akey }));
}

/** POST /frame/frameless/v4/auth: the plugin form comes back; Duo sends the browser on. */
async function framelessPost(ctx: SimContext): Promise<Response> {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  const body = await form(ctx);
  if (
    !session || body.get("tx") !== session.tx || body.get("_xsrf") !== session.xsrf ||
    !hasXsrfCookie(ctx, session)
  ) {
    return html(duoErrorPage("Your session has expired."), 400);
  }
  const settings = session.factor.duo ?? {};
  const sid = encodeURIComponent(session.sid);
  if (settings.singlePagePrompt) {
    return html(singlePagePromptPage({ akey: session.akey, authkey: randomString(ALNUM, 17) }));
  }
  if (settings.healthcheck && !session.healthchecked) {
    return new Response(null, {
      status: 303,
      headers: { location: `/frame/v4/preauth/healthcheck?sid=${sid}` },
    });
  }
  session.promptReady = true;
  if (settings.legacyPrompt) return redirect(`/frame/prompt?sid=${sid}`);
  session.trc = randomString(ALNUM, 24);
  return redirect(`/frame/v4/auth/prompt?sid=${sid}`, {
    "set-cookie": cookie(`trc|${session.sid}|${session.akey}`, session.trc),
  });
}

/** GET /frame/v4/preauth/healthcheck: a React shell. */
function healthcheckPage(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session) return html(duoErrorPage("Your session has expired."), 400);
  return html(reactShellPage({ sid: session.sid, xsrf: session.xsrf, page: "healthcheck" }));
}

/** GET /frame/v4/preauth/healthcheck/data: what the health check script would report. */
function healthcheckData(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session) return duoFail("Invalid session", 57, 400);
  if (!xsrfHeaderOk(ctx, session)) return duoFail("Invalid XSRF token", 1, 403);
  session.healthchecked = true;
  return json({ stat: "OK", response: { healthcheck_complete: true, return_url: "/frame/v4/return" } });
}

/** GET /frame/v4/return: back to the plugin form after the health check. */
function healthcheckReturn(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session || !session.healthchecked) return html(duoErrorPage("Your session has expired."), 400);
  return new Response(null, { status: 303, headers: { location: framelessPath(session) } });
}

/** GET /frame/v4/auth/prompt: the React prompt shell. */
function promptPage(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session || !session.promptReady) return html(duoErrorPage("Your session has expired."), 400);
  return html(reactShellPage({ sid: session.sid, xsrf: session.xsrf, page: "prompt" }));
}

function deviceKey(session: FramelessSession, phone: string): string {
  return `DP${btoa(`${session.factor.id}:${phone}`).replace(/[^A-Za-z0-9]/g, "").slice(0, 18)}`;
}

/** GET /frame/v4/auth/prompt/data: phones and methods, for the prompt's XHR. */
function promptData(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session || !session.promptReady) return duoFail("Invalid session", 57, 400);
  if (!xsrfHeaderOk(ctx, session)) return duoFail("Invalid XSRF token", 1, 403);
  if (!session.trc || ctx.cookies.get(`trc|${session.sid}|${session.akey}`) !== session.trc) {
    return duoFail("Session expired", 57);
  }
  const phones = phonesOf(session).map((index, i) => ({
    index,
    key: deviceKey(session, index),
    name: `Phone ${i + 1}`,
    end_of_number: String(i + 1).repeat(4),
    mobile_otpable: true,
    sms_passcode_ok: true,
  }));
  const methods = phones.flatMap((phone) => [
    { factor: "Duo Push", deviceKey: phone.key },
    { factor: "Phone Call", deviceKey: phone.key },
  ]);
  methods.push({ factor: "Passcode", deviceKey: "" });
  return json({
    stat: "OK",
    response: {
      phones,
      auth_method_order: methods,
      has_hardware_token: devicesOf(session).includes("token"),
      post_auth_action: ctx.url.searchParams.get("post_auth_action") ?? "",
      remember_me_enabled: false,
    },
  });
}

/** Starts a method; shared by the v4 XHR and the legacy form post. */
function startMethod(ctx: SimContext, session: FramelessSession, body: URLSearchParams): Response {
  if (!session.promptReady) return duoFail("Invalid session", 57);
  if (body.get("postAuthDestination") !== "OIDC_EXIT") return duoFail("Unknown post-auth destination", 77);
  const method = body.get("factor");
  const device = body.get("device") ?? "";
  const txid = crypto.randomUUID();
  const duo = store(ctx.state);
  switch (method) {
    case "Duo Push":
    case "Phone Call":
      if (!phonesOf(session).includes(device)) return duoFail(`Unknown device: ${device}`, 30);
      ctx.state.bump(method === "Duo Push" ? "duo:push" : "duo:call");
      duo.txns.set(txid, { sid: session.sid, method, polls: 0, outcome: "waiting" });
      break;
    case "Passcode": {
      ctx.state.bump("duo:passcode");
      const good = session.factor.code !== undefined && body.get("passcode") === session.factor.code;
      duo.txns.set(txid, { sid: session.sid, method, polls: 0, outcome: good ? "allow" : "deny" });
      break;
    }
    default:
      return duoFail(`Unknown factor: ${method}`, 75);
  }
  return json({ stat: "OK", response: { txid } });
}

/** POST /frame/v4/prompt. */
async function prompt(ctx: SimContext): Promise<Response> {
  const body = await form(ctx);
  const session = sessionOf(ctx, body.get("sid"));
  if (!session) return duoFail("Invalid session", 57);
  if (!xsrfHeaderOk(ctx, session)) return duoFail("Invalid XSRF token", 1, 403);
  return startMethod(ctx, session, body);
}

/**
 * The legacy `login-form` post to `/frame/prompt` (the traditional prompt's path): called by the
 * traditional handler in duo.ts for frameless sids.
 */
export async function legacyFramelessPrompt(ctx: SimContext): Promise<Response> {
  const body = await form(ctx);
  const session = sessionOf(ctx, body.get("sid"));
  if (!session || !session.factor.duo?.legacyPrompt) return duoFail("Invalid session ID", 57);
  if (body.get("_xsrf") !== session.xsrf || !hasXsrfCookie(ctx, session)) {
    return duoFail("Invalid XSRF token", 1, 403);
  }
  return startMethod(ctx, session, body);
}

/** GET /frame/prompt?sid=frameless-…: the 2023 server-rendered prompt. */
function legacyPromptPage(ctx: SimContext): Response {
  const session = sessionOf(ctx, ctx.url.searchParams.get("sid"));
  if (!session || !session.promptReady || !session.factor.duo?.legacyPrompt) {
    return html(duoErrorPage("Your session has expired."), 400);
  }
  return html(loginFormPage({ sid: session.sid, xsrf: session.xsrf, phones: phonesOf(session) }));
}

/** POST /frame/v4/status. */
async function status(ctx: SimContext): Promise<Response> {
  const body = await form(ctx);
  const session = sessionOf(ctx, body.get("sid"));
  const txn = store(ctx.state).txns.get(body.get("txid") ?? "");
  if (!session || !txn || txn.sid !== session.sid) return duoFail("Invalid transaction", 41);
  pollTxn(txn, session.factor.push ?? { decision: "approve" });
  switch (txn.outcome) {
    case "waiting":
      return json({
        stat: "OK",
        response: txn.method === "Duo Push"
          ? { status_enum: 13, status_code: "pushed", status: "Pushed a login request to your device..." }
          : { status_enum: 12, status_code: "calling", status: "Calling your phone..." },
      });
    case "allow":
      return json({
        stat: "OK",
        response: {
          status_enum: 5,
          status_code: "allow",
          result: "SUCCESS",
          reason: txn.method === "Passcode" ? "Valid passcode" : "User approved",
          post_auth_action: "OIDC_EXIT",
        },
      });
    case "deny":
      return json({
        stat: "OK",
        response: txn.method === "Passcode"
          ? { status_enum: 6, status_code: "deny", result: "FAILURE", reason: "Incorrect passcode" }
          : { status_enum: 6, status_code: "deny", result: "FAILURE", reason: "User mistake" },
      });
    case "timeout":
      return json({
        stat: "OK",
        response: { status_enum: 15, status_code: "timeout", result: "FAILURE", reason: "timeout" },
      });
  }
}

/** POST /frame/v4/oidc/exit: an approved session goes back to Okta with a one-time code. */
async function oidcExit(ctx: SimContext): Promise<Response> {
  const body = await form(ctx);
  const duo = store(ctx.state);
  const session = sessionOf(ctx, body.get("sid"));
  const txid = body.get("txid") ?? "";
  const txn = duo.txns.get(txid);
  const request = session && duo.oidc.get(session.state);
  if (
    !session || !txn || txn.sid !== session.sid || txn.outcome !== "allow" || !request ||
    body.get("_xsrf") !== session.xsrf || !hasXsrfCookie(ctx, session) || body.get("factor") !== txn.method ||
    !body.has("device_key") || !body.has("dampen_choice")
  ) {
    return html(duoErrorPage("Something went wrong. Please try again."), 400);
  }
  duo.txns.delete(txid);
  duo.sessions.delete(session.sid);
  const code = randomString(B64URL, 40);
  duo.codes.set(code, { state: session.state, expiresAt: ctx.state.now() + CODE_TTL_MS });
  ctx.state.bump("duo-up:exit");
  const target = new URL(request.redirectUri);
  target.searchParams.set("state", session.state);
  target.searchParams.set("code", code);
  return new Response(null, { status: 303, headers: { location: target.href } });
}

/** Okta's IdP hand-off and callback, and Duo's frameless v4 prompt. */
export const duoUniversalRoutes: Route[] = [
  { method: "GET", pattern: "/sso/idps/:idp", handler: ssoIdp },
  { method: "GET", pattern: "/oauth2/v1/authorize/callback", handler: oktaCallback },
  { method: "GET", pattern: "/oauth/v1/authorize", handler: authorize },
  { method: "GET", pattern: "/frame/frameless/v4/auth", handler: framelessPage },
  { method: "POST", pattern: "/frame/frameless/v4/auth", handler: framelessPost },
  { method: "GET", pattern: "/frame/v4/preauth/healthcheck", handler: healthcheckPage },
  { method: "GET", pattern: "/frame/v4/preauth/healthcheck/data", handler: healthcheckData },
  { method: "GET", pattern: "/frame/v4/return", handler: healthcheckReturn },
  { method: "GET", pattern: "/frame/v4/auth/prompt", handler: promptPage },
  { method: "GET", pattern: "/frame/v4/auth/prompt/data", handler: promptData },
  { method: "POST", pattern: "/frame/v4/prompt", handler: prompt },
  { method: "GET", pattern: "/frame/prompt", handler: legacyPromptPage },
  { method: "POST", pattern: "/frame/v4/status", handler: status },
  { method: "POST", pattern: "/frame/v4/oidc/exit", handler: oidcExit },
];

factorVerifiers.set("claims_provider", verifyClaimsProvider);
