/**
 * Okta API error bodies (`errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`),
 * with the HTTP status and summary each code has on the wire.
 *
 * @module
 */

import { newErrorId } from "./ids.ts";
import { json } from "./http.ts";

const ERRORS = {
  E0000001: [400, "Api validation failed: username"],
  E0000003: [400, "The request body was not well-formed."],
  E0000004: [401, "Authentication failed"],
  E0000005: [403, "Invalid session"],
  E0000006: [403, "You do not have permission to perform the requested action"],
  E0000007: [404, "Not found: Resource not found"],
  E0000011: [401, "Invalid token provided"],
  E0000022: [405, "The endpoint does not support the provided HTTP method"],
  E0000047: [429, "API call exceeded rate limit due to too many requests."],
  E0000068: [403, "Invalid Passcode/Answer"],
  E0000069: [403, "User Locked"],
  E0000079: [403, "This operation is not allowed in the current authentication state."],
  E0000109: [429, "An SMS message was recently sent. Please wait 30 seconds before trying again."],
} as const satisfies Record<string, readonly [number, string]>;

/** The Okta error codes the simulator answers with. */
export type OktaErrorCode = keyof typeof ERRORS;

/** Options for {@linkcode oktaError}. */
export interface OktaErrorOptions {
  /** Replaces the code's usual summary (e.g. the resource in an E0000007). */
  summary?: string;
  /** `errorCauses[].errorSummary` values. */
  causes?: string[];
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** The HTTP status Okta uses for a code. */
export function oktaErrorStatus(code: OktaErrorCode): number {
  return ERRORS[code][0];
}

/** The JSON body of an Okta error (a fresh `errorId` each time, as Okta does). */
export function oktaErrorBody(code: OktaErrorCode, options: OktaErrorOptions = {}): Record<string, unknown> {
  return {
    errorCode: code,
    errorSummary: options.summary ?? ERRORS[code][1],
    errorLink: code,
    errorId: newErrorId(),
    errorCauses: (options.causes ?? []).map((errorSummary) => ({ errorSummary })),
  };
}

/** An Okta error response. */
export function oktaError(code: OktaErrorCode, options: OktaErrorOptions = {}): Response {
  return json(oktaErrorBody(code, options), ERRORS[code][0], options.headers ?? {});
}

/** 404 E0000007 for an unknown resource, in Okta's "Not found: Resource not found: <id> (<Type>)" form. */
export function notFound(id: string, type: string): Response {
  return oktaError("E0000007", { summary: `Not found: Resource not found: ${id} (${type})` });
}
