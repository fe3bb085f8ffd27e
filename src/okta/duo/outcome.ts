/**
 * What the user reads while Duo decides, and when it has decided against them, shared by Duo's
 * traditional prompt (factor.ts) and its Universal Prompt (universal.ts) so that both say
 * the same thing for the same event.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { DuoChoice } from "./choice.ts";

/** The parts of a Duo status answer that decide the wording. */
export interface DuoDecision {
  /** "pushed", "calling", "allow", "deny", "timeout", … */
  code: string;
  /** Duo's human text for the state. */
  text: string;
  /** "SUCCESS" or "FAILURE" once decided. */
  result?: string;
  /** Why it failed, when Duo says. */
  reason?: string;
}

/** Passcodes are asked at most this often before giving up. */
export const MAX_PASSCODE_ATTEMPTS = 3;

/** The progress line once a push was sent or a call placed. */
export function startedLine(choice: DuoChoice): string {
  return choice.method === "Duo Push"
    ? `Duo Push sent to ${choice.device}; waiting for approval`
    : `Duo is calling ${choice.device}; answer the call and follow its instructions`;
}

/** The passcode question for the chosen device. */
export function passcodeQuestion(choice: DuoChoice): string {
  return choice.device === "token"
    ? "Enter the passcode from your Duo token: "
    : `Enter a Duo Mobile passcode for ${choice.device}: `;
}

/** Whether a status answer means approved. */
export function isApproved(status: DuoDecision): boolean {
  return status.result === "SUCCESS" || status.code === "allow";
}

/** Whether a status answer is a final refusal (denied, timed out or failed). */
export function isRefused(status: DuoDecision): boolean {
  return status.result === "FAILURE" || status.code === "deny" || status.code === "timeout";
}

/** The error for a push or call Duo refused. */
export function refusal(choice: DuoChoice, status: DuoDecision): AppError {
  const capital = capitalized(methodName(choice));
  if (status.code === "timeout" || /timed out|timeout/i.test(status.reason ?? "")) {
    return new AppError(`${capital} timed out`, { hint: "run the command again and approve it" });
  }
  if (status.code === "deny" || status.result === "FAILURE") {
    const reason = status.reason || status.text;
    return new AppError(`${capital} was denied${reason ? `: ${oneLine(reason)}` : ""}`, {
      hint: "run the command again and approve it; if you did not start this login, tell your security team",
    });
  }
  return new AppError(`${capital} failed: "${oneLine(status.code)}"`, { hint: "run the command again" });
}

/** The error when our own deadline passes before Duo decides. */
export function notApprovedInTime(choice: DuoChoice, timeoutMs: number): AppError {
  return new AppError(
    `${capitalized(methodName(choice))} was not approved within ${formatDuration(timeoutMs)}`,
    { hint: "run the command again and approve it" },
  );
}

/** The error after {@linkcode MAX_PASSCODE_ATTEMPTS} refused or empty passcodes. */
export function noPasscodeAccepted(): AppError {
  return new AppError(`no passcode was accepted by Duo after ${MAX_PASSCODE_ATTEMPTS} attempts`, {
    hint: "use a fresh passcode and run the command again",
  });
}

function methodName(choice: DuoChoice): string {
  return choice.method === "Duo Push" ? "Duo Push" : "the Duo phone call";
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "5 min", "30 s" or "250 ms". */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} s`;
  return `${ms} ms`;
}

/** Collapses whitespace and caps the length, so that Duo's text fits a one-line message. */
export function oneLine(value: string, max = 120): string {
  const line = value.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
