/**
 * Okta Verify push: send the push, then poll until the user answers, the push expires, or our own
 * deadline passes. The status stays MFA_CHALLENGE for a rejected or expired push, so the loop looks
 * at `factorResult`, not only at `status`.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import type { OktaClient } from "../client.ts";
import { delay, type FactorContext, requireStateToken, verifyCall, verifyHref } from "./handler.ts";

const DEFAULT_POLL_INTERVAL_MS = 2000;
const DEFAULT_PUSH_TIMEOUT_MS = 5 * 60 * 1000;
const RUN_AGAIN = "run the command again and approve the push";

/** Sends an Okta Verify push and waits for its approval. */
export async function verifyPush(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  const interval = context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const timeout = context.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  let stateToken = requireStateToken(transaction);
  const device = typeof factor.profile?.name === "string" && factor.profile.name
    ? factor.profile.name
    : "your device";

  let result = await verifyCall(client, verifyHref(factor), { stateToken }, { autoPush: "true" });
  let announced = false;
  let challengeShown = false;
  for (let polls = 0;; polls++) {
    const answer = result.body;
    if (answer.status !== "MFA_CHALLENGE") return answer;
    const outcome = answer.factorResult ?? "WAITING";
    if (outcome !== "WAITING") throw pushFailure(outcome);
    if (!announced) {
      context.prompter.say(`Okta Verify push sent to ${device}; waiting for approval`);
      announced = true;
    }
    const correctAnswer = answer._embedded?.factor?._embedded?.challenge?.correctAnswer;
    if (!challengeShown && correctAnswer !== undefined && correctAnswer !== null) {
      context.prompter.say(`Okta Verify: tap ${correctAnswer} on your phone`);
      challengeShown = true;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new AppError(`Okta Verify push was not approved within ${formatDuration(timeout)}`, {
        hint: RUN_AGAIN,
      });
    }
    await delay(Math.min(retryAfterMs(result.headers) ?? interval, remaining));
    if (answer.stateToken) stateToken = answer.stateToken;
    context.debug?.(`okta: polling push (${polls + 1})`);
    result = await verifyCall(client, answer._links?.next?.href ?? verifyHref(factor), { stateToken });
  }
}

/** The wait a `Retry-After` header asks for (delta seconds or an HTTP date), or undefined without one. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function pushFailure(outcome: string): AppError {
  switch (outcome) {
    case "REJECTED":
      return new AppError("Okta Verify push was rejected", {
        hint:
          "run the command again and approve the push; if you did not start this login, tell your security team",
      });
    case "TIMEOUT":
      return new AppError("Okta Verify push timed out", { hint: RUN_AGAIN });
    default:
      return new AppError(`Okta Verify push failed: "${outcome}"`, { hint: RUN_AGAIN });
  }
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${ms} ms`;
}
