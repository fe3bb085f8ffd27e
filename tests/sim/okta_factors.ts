/**
 * Factor verification (§1.4): push with polling and number challenge, OTP factors, SMS/voice/e-mail
 * codes, security questions, resend, wrong-code counting and the MFA lockout.
 *
 * Factor types that need more than a code (Duo `web`, `u2f`, `webauthn`) are dispatched through
 * {@linkcode factorVerifiers}, so a later endpoint group can register its own handler there.
 *
 * @module
 */

import { notFound, oktaError } from "./errors.ts";
import type { Route, SimContext } from "./http.ts";
import { readJsonObject, transactionOf } from "./okta_authn.ts";
import { rememberDevice, successResponse, touch, transactionResponse } from "./okta_transaction.ts";
import type { AuthnTransaction, SimFactor, SimFactorType, SimUser } from "./state.ts";

/** Everything a factor verifier needs for one verify call. */
export interface VerifyStep {
  /** The transaction (MFA_REQUIRED or MFA_CHALLENGE). */
  tx: AuthnTransaction;
  /** Its user. */
  user: SimUser;
  /** The factor named in the URL. */
  factor: SimFactor;
  /** The JSON body. */
  body: Record<string, unknown>;
  /** Ends the transaction with SUCCESS and a sessionToken (remembering the device if asked). */
  succeed(): Response;
  /** Counts a wrong code: 403 E0000068, or E0000069 and a locked user at the limit. */
  fail(cause?: string): Response;
}

/** A verify handler for one factor type. */
export type FactorVerifier = (ctx: SimContext, step: VerifyStep) => Response | Promise<Response>;

const AMR: Record<SimFactorType, string> = {
  push: "swk",
  "token:software:totp": "swk",
  "token:hardware": "hwk",
  token: "hwk",
  sms: "sms",
  call: "tel",
  email: "email",
  question: "kba",
  web: "swk",
  u2f: "hwk",
  webauthn: "hwk",
  claims_provider: "mfa",
};

const WRONG_CODE = "Your passcode doesn't match our records. Please try again.";

function passCode(body: Record<string, unknown>): string | undefined {
  return typeof body.passCode === "string" && body.passCode !== "" ? body.passCode : undefined;
}

const verifyCode: FactorVerifier = (_ctx, step) => {
  const code = passCode(step.body);
  return code !== undefined && code === step.factor.code ? step.succeed() : step.fail();
};

const verifyQuestion: FactorVerifier = (_ctx, step) => {
  const answer = typeof step.body.answer === "string" ? step.body.answer : undefined;
  return answer !== undefined && answer === step.factor.code
    ? step.succeed()
    : step.fail("Your answer doesn't match our records. Please try again.");
};

function sendCode(ctx: SimContext, step: VerifyStep): Response {
  const { state } = ctx;
  const { tx, factor, user } = step;
  const now = state.now();
  const isPhone = factor.factorType === "sms" || factor.factorType === "call";
  if (
    isPhone && tx.factorId === factor.id && tx.codeSentAt !== undefined &&
    now - tx.codeSentAt < state.settings.smsResendIntervalMs
  ) {
    return oktaError("E0000109");
  }
  tx.status = "MFA_CHALLENGE";
  tx.factorId = factor.id;
  tx.codeSentAt = now;
  delete tx.push;
  state.bump(`${factor.factorType}:sent`);
  return transactionResponse(ctx, tx, user);
}

const verifyOutOfBandCode: FactorVerifier = (ctx, step) => {
  const code = passCode(step.body);
  if (code === undefined) return sendCode(ctx, step);
  // A code is only good once one was sent for this factor in this transaction.
  const sent = step.tx.factorId === step.factor.id && step.tx.codeSentAt !== undefined;
  return sent && code === step.factor.code ? step.succeed() : step.fail();
};

function sendPush(ctx: SimContext, step: VerifyStep): Response {
  const { tx, factor, user } = step;
  tx.status = "MFA_CHALLENGE";
  tx.factorId = factor.id;
  tx.push = { polls: 0, result: "WAITING" };
  delete tx.codeSentAt;
  ctx.state.bump("push:sent");
  return transactionResponse(ctx, tx, user);
}

const verifyPush: FactorVerifier = (ctx, step) => {
  const { tx, factor, user } = step;
  const push = tx.factorId === factor.id ? tx.push : undefined;
  if (!push) return sendPush(ctx, step);
  if (push.result === "WAITING") {
    const behaviour = factor.push ?? { decision: "approve" };
    let decision = push.decided;
    if (
      decision === undefined && behaviour.decision !== "manual" && push.polls >= (behaviour.afterPolls ?? 0)
    ) {
      decision = behaviour.decision;
    }
    push.polls += 1;
    if (decision === "approve") return step.succeed();
    if (decision === "reject") push.result = "REJECTED";
    if (decision === "timeout") push.result = "TIMEOUT";
  }
  return transactionResponse(ctx, tx, user);
};

const notSimulated: FactorVerifier = (_ctx, step) =>
  oktaError("E0000079", { summary: `Factor type '${step.factor.factorType}' is not simulated` });

/**
 * Verify handlers by factor type. Endpoint groups that simulate Duo or WebAuthn replace the
 * entries for `web`, `u2f` and `webauthn`.
 */
export const factorVerifiers = new Map<SimFactorType, FactorVerifier>([
  ["push", verifyPush],
  ["token:software:totp", verifyCode],
  ["token:hardware", verifyCode],
  ["token", verifyCode],
  ["sms", verifyOutOfBandCode],
  ["call", verifyOutOfBandCode],
  ["email", verifyOutOfBandCode],
  ["question", verifyQuestion],
  ["web", notSimulated],
  ["u2f", notSimulated],
  ["webauthn", notSimulated],
]);

/** Resolves transaction, user and factor of a factor call, or the error response. */
async function factorCall(ctx: SimContext) {
  const body = await readJsonObject(ctx);
  if (body instanceof Response) return body;
  const found = transactionOf(ctx, body);
  if (found instanceof Response) return found;
  const { tx, user } = found;
  const factor = user.factors.find((f) => f.id === ctx.params.id);
  if (!factor) return notFound(ctx.params.id ?? "", "UserFactor");
  if (tx.status !== "MFA_REQUIRED" && tx.status !== "MFA_CHALLENGE") return oktaError("E0000079");
  return { body, tx, user, factor };
}

function makeStep(ctx: SimContext, call: Omit<VerifyStep, "succeed" | "fail">): VerifyStep {
  const { state } = ctx;
  const { tx, user, factor } = call;
  return {
    ...call,
    succeed() {
      state.factorFailures.delete(user.id);
      state.transactions.delete(tx.stateToken);
      const dt = ctx.cookies.get("DT") ?? tx.deviceToken;
      if (ctx.url.searchParams.get("rememberDevice") === "true" && state.policy.allowRememberDevice && dt) {
        rememberDevice(state, dt, user.id);
      }
      const amr = ["pwd", AMR[factor.factorType], "mfa"];
      if (tx.stepUp) {
        const session = state.liveSession(tx.stepUp.sessionId);
        if (session) {
          session.mfa = true;
          session.amr = [...new Set([...session.amr, ...amr])];
        }
        return successResponse(ctx, user, {
          mfa: true,
          amr,
          stepUpSessionId: tx.stepUp.sessionId,
          nextHref: `${ctx.origin}/home/amazon_aws/${tx.stepUp.appId}/${tx.stepUp.n}`,
        });
      }
      return successResponse(ctx, user, { mfa: true, amr });
    },
    fail(cause = WRONG_CODE) {
      const failures = (state.factorFailures.get(user.id) ?? 0) + 1;
      if (failures >= state.settings.maxFactorFailures) {
        state.factorFailures.delete(user.id);
        state.lockedUsers.add(user.id);
        for (const [token, other] of state.transactions) {
          if (other.userId === user.id) state.transactions.delete(token);
        }
        return oktaError("E0000069");
      }
      state.factorFailures.set(user.id, failures);
      touch(state, tx);
      return oktaError("E0000068", { causes: [cause] });
    },
  };
}

async function verify(ctx: SimContext): Promise<Response> {
  const call = await factorCall(ctx);
  if (call instanceof Response) return call;
  touch(ctx.state, call.tx);
  const verifier = factorVerifiers.get(call.factor.factorType) ?? notSimulated;
  return verifier(ctx, makeStep(ctx, call));
}

async function resend(ctx: SimContext): Promise<Response> {
  const call = await factorCall(ctx);
  if (call instanceof Response) return call;
  const { tx, factor } = call;
  if (tx.status !== "MFA_CHALLENGE" || tx.factorId !== factor.id) return oktaError("E0000079");
  touch(ctx.state, tx);
  const step = makeStep(ctx, call);
  switch (factor.factorType) {
    case "push":
      return sendPush(ctx, step);
    case "sms":
    case "call":
    case "email":
      return sendCode(ctx, step);
    default:
      return oktaError("E0000079");
  }
}

/** The factor routes. */
export const factorRoutes: Route[] = [
  { method: "POST", pattern: "/api/v1/authn/factors/:id/verify", handler: verify },
  { method: "POST", pattern: "/api/v1/authn/factors/:id/verify/resend", handler: resend },
];
