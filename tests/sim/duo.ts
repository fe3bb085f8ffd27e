/**
 * Okta's Duo factor (`web`) and the Duo side of it, on the simulator's own listener:
 *
 * - Okta: the first verify answers MFA_CHALLENGE with `_embedded.factor._embedded.verification`
 *   (host, `TX|…:APP|…` signature, script and `complete` links); later verifies poll until the
 *   callback delivered Duo's answer; `POST …/lifecycle/duoCallback` (form: id, stateToken,
 *   sig_response) checks the answer against the one Duo issued.
 * - Duo's traditional prompt frame API: `/frame/web/v1/auth` (→ 302 with the sid, or a page of
 *   hidden fields first when `duo.authForm`, or a redirect into the Universal Prompt when
 *   `duo.universalPrompt`), `/frame/prompt` (Duo Push, Phone Call, Passcode), `/frame/status`
 *   (pushed/calling → allow, deny or timeout, decided by the factor's `push` behaviour; passcodes
 *   against the factor's `code`), and `/frame/status/<txid>` (the signed `AUTH|…` cookie).
 *
 * Counts: `duo:push`, `duo:call`, `duo:passcode` (methods started), `duo:callback` (answers Okta
 * accepted). Importing this module registers the `web` verifier in {@linkcode factorVerifiers}.
 *
 * @module
 */

import { oktaError } from "./errors.ts";
import { html, json, type Route, type SimContext } from "./http.ts";
import { randomString } from "./ids.ts";
import { legacyFramelessPrompt } from "./duo_universal.ts";
import { type FactorVerifier, factorVerifiers, type VerifyStep } from "./okta_factors.ts";
import { factorProfile, oktaTime, policyJson, userJson, verifyHref } from "./okta_transaction.ts";
import type { AuthnTransaction, SimFactor, SimPushDecision, SimState } from "./state.ts";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DEFAULT_DEVICES = ["phone1", "phone2", "token"];

/** Okta's side of one Duo verification. */
interface DuoChallenge {
  /** Owning transaction's state token. */
  stateToken: string;
  factorId: string;
  /** The `TX|…` request Duo sees. */
  tx: string;
  /** The `APP|…` half Okta checks on the callback. */
  app: string;
  /** Set when Duo approved: the cookie its result carries. */
  cookie?: string;
  /** Set when Okta accepted the callback. */
  done: boolean;
}

/** A Duo frame session (one `sid`). */
interface DuoSession {
  challenge: DuoChallenge;
  factor: SimFactor;
}

/** A started method (one `txid`), in the traditional prompt and the Universal Prompt alike. */
export interface DuoTxn {
  sid: string;
  method: "Duo Push" | "Phone Call" | "Passcode";
  polls: number;
  outcome: "waiting" | "allow" | "deny" | "timeout";
  /** A decision made by {@linkcode decideWaiting}, shown on the next status poll. */
  decided?: "approve" | "reject" | "timeout";
}

/** Decides every waiting push or call among `txns`; returns how many. */
export function decideWaiting(txns: Iterable<DuoTxn>, decision: "approve" | "reject" | "timeout"): number {
  let decided = 0;
  for (const txn of txns) {
    if (txn.method !== "Passcode" && txn.outcome === "waiting") {
      txn.decided = decision;
      decided++;
    }
  }
  return decided;
}

/**
 * Counts a status poll and settles a waiting push or call: a manual decision, else the factor's
 * push behaviour once `afterPolls` polls have seen it started.
 */
export function pollTxn(txn: DuoTxn, behaviour: { decision: SimPushDecision; afterPolls?: number }): void {
  txn.polls += 1;
  if (txn.outcome !== "waiting") return;
  const decision = txn.decided ??
    (behaviour.decision === "manual" || txn.polls <= (behaviour.afterPolls ?? 0)
      ? undefined
      : behaviour.decision);
  if (decision === "approve") txn.outcome = "allow";
  if (decision === "reject") txn.outcome = "deny";
  if (decision === "timeout") txn.outcome = "timeout";
}

interface DuoStore {
  byTx: Map<string, DuoChallenge>;
  byStateToken: Map<string, DuoChallenge>;
  sessions: Map<string, DuoSession>;
  txns: Map<string, DuoTxn>;
}

const stores = new WeakMap<SimState, DuoStore>();

function store(state: SimState): DuoStore {
  let found = stores.get(state);
  if (!found) {
    found = { byTx: new Map(), byStateToken: new Map(), sessions: new Map(), txns: new Map() };
    stores.set(state, found);
  }
  return found;
}

/** Decides every waiting Duo Push or call (for tests with a `manual` push behaviour). */
export function decideDuo(state: SimState, decision: "approve" | "reject" | "timeout"): number {
  return decideWaiting(store(state).txns.values(), decision);
}

/** The MFA_CHALLENGE answer of a Duo factor. */
function challengeResponse(ctx: SimContext, step: VerifyStep, challenge: DuoChallenge): Response {
  const { tx, user, factor } = step;
  const { origin } = ctx;
  const href = verifyHref(origin, factor);
  return json({
    stateToken: tx.stateToken,
    expiresAt: oktaTime(tx.expiresAt),
    status: "MFA_CHALLENGE",
    factorResult: "WAITING",
    challengeType: "FACTOR",
    _embedded: {
      user: userJson(user),
      factor: {
        id: factor.id,
        factorType: factor.factorType,
        provider: factor.provider,
        vendorName: factor.provider,
        profile: factorProfile(factor, user),
        _embedded: {
          verification: {
            host: ctx.url.host,
            signature: `${challenge.tx}:${challenge.app}`,
            _links: {
              script: { href: `${origin}/js/duo/Duo-Web-v2.6.js`, type: "text/javascript; charset=utf-8" },
              complete: {
                href: `${origin}/api/v1/authn/factors/${encodeURIComponent(factor.id)}/lifecycle/duoCallback`,
                hints: { allow: ["POST"] },
              },
            },
          },
        },
      },
      policy: policyJson(ctx.state),
    },
    _links: {
      next: { name: "poll", href, hints: { allow: ["POST"] } },
      prev: { href: `${origin}/api/v1/authn/previous`, hints: { allow: ["POST"] } },
      cancel: { href: `${origin}/api/v1/authn/cancel`, hints: { allow: ["POST"] } },
    },
  });
}

/** The `web` verifier: start a Duo challenge, then answer polls until the callback came. */
const verifyDuoFactor: FactorVerifier = (ctx, step) => {
  const { tx, factor } = step;
  const duo = store(ctx.state);
  let challenge = duo.byStateToken.get(tx.stateToken);
  if (!challenge || challenge.factorId !== factor.id || tx.factorId !== factor.id) {
    challenge = startChallenge(duo, tx, factor);
    tx.status = "MFA_CHALLENGE";
    tx.factorId = factor.id;
    delete tx.push;
    delete tx.codeSentAt;
  }
  if (challenge.done) {
    duo.byStateToken.delete(tx.stateToken);
    duo.byTx.delete(challenge.tx);
    return step.succeed();
  }
  return challengeResponse(ctx, step, challenge);
};

function startChallenge(duo: DuoStore, tx: AuthnTransaction, factor: SimFactor): DuoChallenge {
  const challenge: DuoChallenge = {
    stateToken: tx.stateToken,
    factorId: factor.id,
    tx: `TX|${btoa(`${factor.id}|${randomString(ALNUM, 16)}`)}|${randomString(ALNUM, 40)}`,
    app: `APP|${btoa(`${factor.id}|${randomString(ALNUM, 16)}`)}|${randomString(ALNUM, 40)}`,
    done: false,
  };
  duo.byTx.set(challenge.tx, challenge);
  duo.byStateToken.set(tx.stateToken, challenge);
  return challenge;
}

function factorOf(ctx: SimContext, challenge: DuoChallenge): SimFactor | undefined {
  for (const user of ctx.state.users) {
    const factor = user.factors.find((f) => f.id === challenge.factorId);
    if (factor) return factor;
  }
  return undefined;
}

async function form(ctx: SimContext): Promise<URLSearchParams> {
  return new URLSearchParams(await ctx.bodyText());
}

function duoFail(message: string): Response {
  return json({ stat: "FAIL", code: 40002, message });
}

/** POST /frame/web/v1/auth: open a frame session for Okta's signed request. */
async function auth(ctx: SimContext): Promise<Response> {
  const duo = store(ctx.state);
  const params = ctx.url.searchParams;
  const challenge = duo.byTx.get(params.get("tx") ?? "");
  const factor = challenge && factorOf(ctx, challenge);
  if (!challenge || !factor || !params.get("parent") || !params.get("v")) {
    return html("<html><body>Invalid request.</body></html>", 400);
  }
  const body = await form(ctx);
  if (factor.duo?.universalPrompt) {
    const location = `/frame/frameless/v4/auth?sid=${randomString(ALNUM, 24)}&tx=${randomString(ALNUM, 16)}`;
    return new Response(null, { status: 302, headers: { location } });
  }
  if (factor.duo?.authForm && !body.get("sid")) {
    const sid = `frame-${randomString(ALNUM, 32)}`;
    duo.sessions.set(sid, { challenge, factor });
    return html(
      `<html><body><form method="POST" id="endpoint-health-form">` +
        `<input type="hidden" name="sid" value="${sid}">` +
        `<input type="hidden" name="certs_url" value="https://certs-duo1.duosecurity.com/v1/certs/check">` +
        `</form></body></html>`,
    );
  }
  let sid = body.get("sid") ?? "";
  if (!duo.sessions.has(sid)) {
    sid = `frame-${randomString(ALNUM, 32)}`;
    duo.sessions.set(sid, { challenge, factor });
  }
  return new Response(null, {
    status: 302,
    headers: { location: `/frame/prompt?sid=${encodeURIComponent(sid)}` },
  });
}

/** POST /frame/prompt: start Duo Push, a phone call, or check a passcode. */
async function prompt(ctx: SimContext): Promise<Response> {
  const duo = store(ctx.state);
  const body = await form(ctx);
  const sid = body.get("sid") ?? "";
  // The Universal Prompt's 2023 login-form posts its frameless session to the same path.
  if (sid.startsWith("frameless-")) return await legacyFramelessPrompt(ctx);
  const session = duo.sessions.get(sid);
  if (!session) return duoFail("Invalid session ID");
  const devices = session.factor.duo?.devices ?? DEFAULT_DEVICES;
  const device = body.get("device") ?? "";
  const method = body.get("factor");
  if (!devices.includes(device)) return duoFail(`Unknown device: ${device}`);
  const txid = randomString(ALNUM, 36);
  switch (method) {
    case "Duo Push":
    case "Phone Call":
      if (device === "token") return duoFail("This device does not support that factor");
      ctx.state.bump(method === "Duo Push" ? "duo:push" : "duo:call");
      duo.txns.set(txid, { sid, method, polls: 0, outcome: "waiting" });
      break;
    case "Passcode": {
      ctx.state.bump("duo:passcode");
      const good = session.factor.code !== undefined && body.get("passcode") === session.factor.code;
      duo.txns.set(txid, { sid, method, polls: 0, outcome: good ? "allow" : "deny" });
      break;
    }
    default:
      return duoFail(`Unknown factor: ${method}`);
  }
  return json({ stat: "OK", response: { txid } });
}

/** POST /frame/status: the state of a started method. */
async function status(ctx: SimContext): Promise<Response> {
  const duo = store(ctx.state);
  const body = await form(ctx);
  const sid = body.get("sid") ?? "";
  const txid = body.get("txid") ?? "";
  const txn = duo.txns.get(txid);
  const session = duo.sessions.get(sid);
  if (!txn || !session || txn.sid !== sid) return duoFail("Invalid transaction");
  pollTxn(txn, session.factor.push ?? { decision: "approve" });
  switch (txn.outcome) {
    case "waiting":
      return json({
        stat: "OK",
        response: txn.method === "Duo Push"
          ? { status: "Pushed a login request to your device...", status_code: "pushed" }
          : { status: "Calling your phone...", status_code: "calling" },
      });
    case "allow":
      return json({
        stat: "OK",
        response: {
          status: "Success! Logging you in...",
          status_code: "allow",
          result: "SUCCESS",
          reason: txn.method === "Passcode" ? "Valid passcode" : "User approved",
          result_url: `/frame/status/${txid}`,
        },
      });
    case "deny":
      return json({
        stat: "OK",
        response: txn.method === "Passcode"
          ? { status: "Incorrect passcode. Please try again.", status_code: "deny", result: "FAILURE" }
          : {
            status: "Login request denied.",
            status_code: "deny",
            result: "FAILURE",
            reason: "User mistake",
          },
      });
    case "timeout":
      return json({
        stat: "OK",
        response: {
          status: "Login timed out.",
          status_code: "timeout",
          result: "FAILURE",
          reason: "timeout",
        },
      });
  }
}

/** POST /frame/status/:txid: the signed result cookie of an approved method. */
async function result(ctx: SimContext): Promise<Response> {
  const duo = store(ctx.state);
  const body = await form(ctx);
  const txn = duo.txns.get(ctx.params.txid ?? "");
  const session = txn && duo.sessions.get(txn.sid);
  if (!txn || !session || body.get("sid") !== txn.sid || txn.outcome !== "allow") {
    return duoFail("Invalid transaction");
  }
  duo.txns.delete(ctx.params.txid ?? "");
  const cookie = `AUTH|${btoa(`${session.challenge.factorId}|${randomString(ALNUM, 16)}`)}|${
    randomString(ALNUM, 40)
  }`;
  session.challenge.cookie = cookie;
  return json({ stat: "OK", response: { cookie, parent: `${ctx.origin}/signin/verify/duo/web` } });
}

/** POST /api/v1/authn/factors/:id/lifecycle/duoCallback: Okta receives Duo's signed answer. */
async function callback(ctx: SimContext): Promise<Response> {
  const body = await form(ctx);
  const stateToken = body.get("stateToken") ?? "";
  const tx = ctx.state.liveTransaction(stateToken);
  if (!tx) return oktaError("E0000011");
  const challenge = store(ctx.state).byStateToken.get(stateToken);
  const expected = challenge?.cookie ? `${challenge.cookie}:${challenge.app}` : undefined;
  if (
    !challenge || challenge.factorId !== ctx.params.id || body.get("id") !== ctx.params.id ||
    expected === undefined || body.get("sig_response") !== expected
  ) {
    return html("<html><body>Duo verification failed.</body></html>", 403);
  }
  challenge.done = true;
  ctx.state.bump("duo:callback");
  return html("<html><body><script>window.parent.postMessage('done', '*');</script></body></html>");
}

/** The Duo routes (Okta's callback and Duo's frame API). */
export const duoRoutes: Route[] = [
  { method: "POST", pattern: "/api/v1/authn/factors/:id/lifecycle/duoCallback", handler: callback },
  { method: "POST", pattern: "/frame/web/v1/auth", handler: auth },
  { method: "POST", pattern: "/frame/prompt", handler: prompt },
  { method: "POST", pattern: "/frame/status", handler: status },
  { method: "POST", pattern: "/frame/status/:txid", handler: result },
];

factorVerifiers.set("web", verifyDuoFactor);
