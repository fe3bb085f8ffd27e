/**
 * What every factor handler shares: the context it gets, the verify call with its error mapping,
 * and how a factor is named to the user.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { Fetch } from "../../net/fetch.ts";
import { type AuthnResponse, checkShape, expiredTransaction, type Factor } from "../authn.ts";
import { type JsonResult, OktaApiError, type OktaClient } from "../client.ts";
import type { OktaPrompter } from "../prompter.ts";
import type { SecurityKeyOpener } from "./security_key.ts";

/** What a factor handler needs besides the client and the transaction. */
export interface FactorContext {
  /** Questions and progress lines. */
  prompter: OktaPrompter;
  /** Debug sink; redacted lines only. */
  debug?: (line: string) => void;
  /** Pause between push polls when the server gives no Retry-After, in ms. Default 2000. */
  pollIntervalMs?: number;
  /** How long to wait for a push approval before giving up, in ms. Default 5 minutes. */
  pushTimeoutMs?: number;
  /** The Duo device to use ("phone1" by default), for the Duo handler. */
  duoDevice?: string;
  /** The project's fetch, for calls outside the Okta org (Duo's frame API). */
  fetch?: Fetch;
  /** Opens the security key, for the WebAuthn and U2F handlers. */
  openSecurityKey?: SecurityKeyOpener;
}

/**
 * Verifies one factor within a transaction and returns Okta's answer once the factor is done
 * (normally status SUCCESS with a sessionToken).
 */
export type FactorHandler = (
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
) => Promise<AuthnResponse>;

/** "OKTA (push)": how factors are named in lists, flags and errors. */
export function factorLabel(factor: Factor): string {
  return `${factor.provider} (${factor.factorType})`;
}

/** The transaction's state token, which every verify call needs. */
export function requireStateToken(transaction: AuthnResponse): string {
  if (!transaction.stateToken) {
    throw new AppError(`Okta's "${transaction.status}" answer has no state token`, {
      hint: "run the command again",
    });
  }
  return transaction.stateToken;
}

/** The factor's verify URL, as Okta gave it. */
export function verifyHref(factor: Factor): string {
  const href = factor._links?.verify?.href;
  if (!href) {
    throw new AppError(`Okta gave no verify link for the MFA factor "${factorLabel(factor)}"`, {
      hint: "pick another factor with --mfa-factor-type",
    });
  }
  return href;
}

/**
 * POSTs to a verify (or poll) link with `rememberDevice=true` plus `query`, and maps the errors that
 * end the transaction: expired (E0000011) and locked by too many failures (E0000069).
 */
export async function verifyCall(
  client: OktaClient,
  href: string,
  body: Record<string, string>,
  query: Record<string, string> = {},
): Promise<JsonResult<AuthnResponse>> {
  const url = client.resolve(href);
  if (!url.searchParams.has("rememberDevice")) url.searchParams.set("rememberDevice", "true");
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  try {
    const result = await client.postJson<AuthnResponse>(url, body);
    checkShape(result.body);
    return result;
  } catch (error) {
    const expired = expiredTransaction(error);
    if (expired) throw expired;
    if (error instanceof OktaApiError && error.errorCode === "E0000069") {
      throw new AppError("Okta locked the account after too many MFA failures", {
        hint: "wait for the lockout to end or ask your Okta admin to unlock it",
        cause: error,
      });
    }
    throw error;
  }
}

/** Whether an error is Okta's "wrong code or answer" (the transaction stays usable). */
export function isRejectedCode(error: unknown): boolean {
  return error instanceof OktaApiError && error.errorCode === "E0000068";
}

/** Waits `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
