/**
 * STS parameter validation, producing AWS's "N validation error(s) detected: …" messages.
 *
 * @module
 */

import { StsError } from "./sts_xml.ts";

/** Collects constraint failures for one request. */
export class Validator {
  readonly #errors: string[] = [];

  /** Records that `field` is required and missing. */
  required(field: string, value: string | null): value is string {
    if (value === null) {
      this.#errors.push(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);
      return false;
    }
    return true;
  }

  /** Length bounds; `secret` leaves the value out of the message (assertions, tokens). */
  length(field: string, value: string | null, min: number, max: number, secret = false): void {
    if (value === null) return;
    const shown = secret ? undefined : value;
    if (value.length < min) {
      this.#fail(field, shown, `Member must have length greater than or equal to ${min}`);
    } else if (value.length > max) {
      this.#fail(field, shown, `Member must have length less than or equal to ${max}`);
    }
  }

  /** Regular-expression constraint (`display` is the pattern as AWS prints it). */
  pattern(field: string, value: string | null, re: RegExp, display: string): void {
    if (value !== null && !re.test(value)) {
      this.#fail(field, value, `Member must satisfy regular expression pattern: ${display}`);
    }
  }

  /** Integer range; returns the number (or undefined when absent or invalid). */
  integer(field: string, value: string | null, min: number, max: number): number | undefined {
    if (value === null) return undefined;
    if (!/^-?\d+$/.test(value.trim())) {
      this.#fail(field, value, "Member must be an integer");
      return undefined;
    }
    const n = Number(value);
    if (n < min) this.#fail(field, value, `Member must have value greater than or equal to ${min}`);
    else if (n > max) this.#fail(field, value, `Member must have value less than or equal to ${max}`);
    return n;
  }

  #fail(field: string, value: string | undefined, constraint: string): void {
    const shown = value === undefined ? "Value" : `Value '${value}'`;
    this.#errors.push(`${shown} at '${field}' failed to satisfy constraint: ${constraint}`);
  }

  /** Throws a 400 ValidationError listing every failure, if any. */
  check(): void {
    const n = this.#errors.length;
    if (n === 0) return;
    const head = n === 1 ? "1 validation error detected: " : `${n} validation errors detected: `;
    throw new StsError(400, "ValidationError", head + this.#errors.join("; "));
  }
}

/** `[\w+=,.@-]*`, the RoleSessionName pattern. */
export const SESSION_NAME_RE = /^[\w+=,.@-]*$/;

/** A role ARN: `arn:<partition>:iam::<12 digits>:role/<path/name>`. */
export const ROLE_ARN_RE = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** A SAML provider ARN. */
export const PROVIDER_ARN_RE = /^arn:aws[\w-]*:iam::\d{12}:saml-provider\/[\w.-]+$/;

/** A role's MaxSessionDuration when the test sets none: 3600 s, IAM's default for a new role. */
export const DEFAULT_MAX_SESSION_SECONDS = 3600;
