/**
 * Okta Classic Authentication API (`/api/v1/authn`): the transaction types and the two calls that
 * start or resume a transaction. Branching on the status lives in classic_login.ts, factors in
 * factors.ts.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { OktaApiError, type OktaClient } from "./client.ts";

/** A HAL link in an Okta answer. */
export interface OktaLink {
  /** Absolute URL to call. */
  href: string;
  /** Link name, e.g. "poll" or "verify" on `_links.next`. */
  name?: string;
  /** Allowed methods. */
  hints?: { allow?: string[] };
}

/** A factor offered in `_embedded.factors` (or being verified, in `_embedded.factor`). */
export interface Factor {
  /** Factor id; part of the verify URL. */
  id: string;
  /** "push", "token:software:totp", "sms", "web", … */
  factorType: string;
  /** "OKTA", "GOOGLE", "DUO", … */
  provider: string;
  /** Display vendor, usually equal to provider. */
  vendorName?: string;
  /** Type-specific display data (device name, masked phone number or e-mail, question text). */
  profile?: Record<string, unknown>;
  /** `verify` is the URL to POST to. */
  _links?: { verify?: OktaLink; [name: string]: OktaLink | OktaLink[] | undefined };
  /** Only on `_embedded.factor` in MFA_CHALLENGE: the number challenge, Duo and FIDO data. */
  _embedded?: { challenge?: { correctAnswer?: number; [key: string]: unknown }; [key: string]: unknown };
}

/** The sign-on policy details of an MFA_REQUIRED answer. */
export interface AuthnPolicy {
  /** Whether `rememberDevice=true` has any effect. */
  allowRememberDevice?: boolean;
  /** How long a remembered device skips MFA. */
  rememberDeviceLifetimeInMinutes?: number;
}

/** Every answer of `/api/v1/authn` and the factor verify calls. */
export interface AuthnResponse {
  /** SUCCESS, MFA_REQUIRED, MFA_CHALLENGE, LOCKED_OUT, PASSWORD_EXPIRED, PASSWORD_WARN, MFA_ENROLL, … */
  status: string;
  /** The transaction handle (secret; never logged). */
  stateToken?: string;
  /** The one-time session token on SUCCESS (secret; never logged). */
  sessionToken?: string;
  /** When the transaction expires. */
  expiresAt?: string;
  /** On MFA_CHALLENGE: WAITING, REJECTED, TIMEOUT, … */
  factorResult?: string;
  /** Embedded resources. */
  _embedded?: {
    user?: { id?: string; profile?: { login?: string; [key: string]: unknown } };
    factors?: Factor[];
    factor?: Factor;
    policy?: AuthnPolicy;
    [key: string]: unknown;
  };
  /** Where to go next. */
  _links?: {
    next?: OktaLink;
    prev?: OktaLink;
    cancel?: OktaLink;
    skip?: OktaLink;
    resend?: OktaLink[] | OktaLink;
    [name: string]: OktaLink | OktaLink[] | undefined;
  };
}

/** Input of {@linkcode primaryAuth}. */
export interface PrimaryAuthInput {
  /** Okta login. */
  username: string;
  /** Okta password. */
  password: string;
  /** The remembered-device token (the `DT` cookie value), if one is stored. */
  deviceToken?: string;
}

const AUTHN_PATH = "/api/v1/authn";

/**
 * Starts a transaction with username and password. A wrong password (E0000004) becomes an
 * {@linkcode AppError} naming the user; the answer's status is left to the caller.
 */
export async function primaryAuth(client: OktaClient, input: PrimaryAuthInput): Promise<AuthnResponse> {
  const body: Record<string, unknown> = {
    username: input.username,
    password: input.password,
    // warnBeforePasswordExpired lets us tell the user before the password actually expires.
    options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: true },
  };
  if (input.deviceToken) body.context = { deviceToken: input.deviceToken };
  try {
    return checkShape((await client.postJson<AuthnResponse>(AUTHN_PATH, body)).body);
  } catch (error) {
    if (error instanceof OktaApiError && error.errorCode === "E0000004") {
      throw new AppError(`Okta rejected the username or password for "${input.username}"`, {
        hint: 'run "aws-okta add" to store the current password',
        cause: error,
      });
    }
    throw error;
  }
}

/** Returns the current state of a transaction (used to resume, and to start an MFA step-up). */
export async function resumeTransaction(client: OktaClient, stateToken: string): Promise<AuthnResponse> {
  try {
    return checkShape((await client.postJson<AuthnResponse>(AUTHN_PATH, { stateToken })).body);
  } catch (error) {
    throw expiredTransaction(error) ?? error;
  }
}

/** Maps Okta's "invalid token" answer on a transaction call to the error users should see. */
export function expiredTransaction(error: unknown): AppError | undefined {
  if (error instanceof OktaApiError && error.errorCode === "E0000011") {
    return new AppError("the Okta login took too long (transaction expired)", {
      hint: "run the command again",
      cause: error,
    });
  }
  return undefined;
}

/** Rejects answers without a status, so later code can trust the field. */
export function checkShape(body: AuthnResponse): AuthnResponse {
  if (typeof body !== "object" || body === null || typeof body.status !== "string") {
    throw new AppError("Okta's authentication answer has no status", {
      hint: "check the Okta domain and any proxy in between",
    });
  }
  return body;
}
