/**
 * Rendering of Authn transaction states (the JSON bodies of §1.1 and §1.4) and the shared steps
 * of the Authn state machine: what follows a correct password, issuing a sessionToken, remembered
 * devices. Used by the authn and factor endpoints (and later by other login flows).
 *
 * @module
 */

import { newSessionToken, newStateToken } from "./ids.ts";
import { json, type SimContext } from "./http.ts";
import type { AuthnTransaction, SimFactor, SimState, SimUser } from "./state.ts";

const POST = { allow: ["POST"] };

/** `_embedded.user` of Authn answers. */
export function userJson(user: SimUser): Record<string, unknown> {
  const local = user.login.split("@")[0] ?? user.login;
  return {
    id: user.id,
    passwordChanged: "2024-01-02T03:04:05.000Z",
    profile: {
      login: user.login,
      firstName: user.firstName ?? local.charAt(0).toUpperCase() + local.slice(1),
      lastName: user.lastName ?? "User",
      locale: "en_US",
      timeZone: "America/Los_Angeles",
    },
  };
}

function maskEmail(login: string): string {
  const [local = "", domain = "example.com"] = login.split("@");
  return `${local.charAt(0)}...@${domain}`;
}

/** The default `profile` of a factor, by type (phone numbers and e-mail masked, as Okta does). */
export function factorProfile(factor: SimFactor, user: SimUser): Record<string, unknown> {
  if (factor.profile) return factor.profile;
  switch (factor.factorType) {
    case "push":
      return {
        credentialId: user.login,
        deviceType: "SmartPhone_IPhone",
        name: "iPhone",
        platform: "IOS",
        version: "17.4",
      };
    case "sms":
    case "call":
      return { phoneNumber: "+1 XXX-XXX-4321" };
    case "email":
      return { email: maskEmail(user.login) };
    case "question":
      return { question: "disliked_food", questionText: "What is the food you least liked as a child?" };
    case "u2f":
    case "webauthn":
      return { credentialId: `${factor.id}-cred`, authenticatorName: "Security Key" };
    default:
      return { credentialId: user.login };
  }
}

/** The verify URL of a factor (absolute, from the request's origin). */
export function verifyHref(origin: string, factor: SimFactor): string {
  return `${origin}/api/v1/authn/factors/${encodeURIComponent(factor.id)}/verify`;
}

/** A factor as listed in `_embedded.factors[]` of MFA_REQUIRED. */
export function factorJson(origin: string, factor: SimFactor, user: SimUser): Record<string, unknown> {
  return {
    id: factor.id,
    factorType: factor.factorType,
    provider: factor.provider,
    vendorName: factor.provider,
    profile: factorProfile(factor, user),
    _links: { verify: { href: verifyHref(origin, factor), hints: POST } },
  };
}

/** `_embedded.policy` of MFA_REQUIRED / MFA_CHALLENGE. */
export function policyJson(state: SimState): Record<string, unknown> {
  return {
    allowRememberDevice: state.policy.allowRememberDevice,
    rememberDeviceLifetimeInMinutes: state.policy.rememberDeviceLifetimeInMinutes,
    rememberDeviceByDefault: state.policy.rememberDeviceByDefault,
    factorsPolicyInfo: {},
  };
}

const COMPLEXITY = {
  minLength: 8,
  minLowerCase: 1,
  minUpperCase: 1,
  minNumber: 1,
  minSymbol: 0,
  excludeUsername: true,
};

/** Okta timestamps carry milliseconds. */
export function oktaTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Starts a transaction in `status` for a user. */
export function newTransaction(
  state: SimState,
  user: SimUser,
  status: AuthnTransaction["status"],
  extra: Partial<AuthnTransaction> = {},
): AuthnTransaction {
  const tx: AuthnTransaction = {
    ...extra,
    stateToken: newStateToken(),
    userId: user.id,
    status,
    expiresAt: state.now() + state.settings.transactionTtlMs,
  };
  state.transactions.set(tx.stateToken, tx);
  return tx;
}

/** Renews a transaction's lifetime after a step. */
export function touch(state: SimState, tx: AuthnTransaction): void {
  tx.expiresAt = state.now() + state.settings.transactionTtlMs;
}

/** Renders the current state of a transaction (the answer to `{"stateToken"}` and to each step). */
export function transactionResponse(ctx: SimContext, tx: AuthnTransaction, user: SimUser): Response {
  const { origin, state } = ctx;
  const cancel = { href: `${origin}/api/v1/authn/cancel`, hints: POST };
  const base = { stateToken: tx.stateToken, expiresAt: oktaTime(tx.expiresAt), status: tx.status };
  switch (tx.status) {
    case "MFA_REQUIRED":
      return json({
        ...base,
        _embedded: {
          user: userJson(user),
          factors: user.factors.map((f) => factorJson(origin, f, user)),
          policy: policyJson(state),
        },
        _links: { cancel },
      });
    case "MFA_CHALLENGE":
      return challengeResponse(ctx, tx, user);
    case "PASSWORD_EXPIRED":
      return json({
        ...base,
        _embedded: {
          user: userJson(user),
          policy: { complexity: COMPLEXITY, age: { minAgeMinutes: 0, historyCount: 4 } },
        },
        _links: {
          next: {
            name: "changePassword",
            href: `${origin}/api/v1/authn/credentials/change_password`,
            hints: POST,
          },
          cancel,
        },
      });
    case "PASSWORD_WARN":
      return json({
        ...base,
        _embedded: {
          user: userJson(user),
          policy: { expiration: { passwordExpireDays: 5 }, complexity: COMPLEXITY },
        },
        _links: {
          next: {
            name: "changePassword",
            href: `${origin}/api/v1/authn/credentials/change_password`,
            hints: POST,
          },
          skip: { name: "skip", href: `${origin}/api/v1/authn/skip`, hints: POST },
          cancel,
        },
      });
    case "MFA_ENROLL":
      return json({
        ...base,
        _embedded: {
          user: userJson(user),
          factors: [
            { factorType: "token:software:totp", provider: "GOOGLE" },
            { factorType: "push", provider: "OKTA" },
            { factorType: "sms", provider: "OKTA" },
          ].map((f) => ({
            ...f,
            vendorName: f.provider,
            enrollment: "REQUIRED",
            status: "NOT_SETUP",
            _links: { enroll: { href: `${origin}/api/v1/authn/factors`, hints: POST } },
          })),
        },
        _links: { cancel },
      });
  }
}

/** The MFA_CHALLENGE body: push (poll/result/number challenge) or OTP sent (next: verify). */
function challengeResponse(ctx: SimContext, tx: AuthnTransaction, user: SimUser): Response {
  const { origin } = ctx;
  const factor = user.factors.find((f) => f.id === tx.factorId);
  if (!factor) throw new Error(`transaction ${tx.status} without a factor`);
  const href = verifyHref(origin, factor);
  const factorBody: Record<string, unknown> = {
    id: factor.id,
    factorType: factor.factorType,
    provider: factor.provider,
    vendorName: factor.provider,
    profile: factorProfile(factor, user),
  };
  let factorResult = "CHALLENGE";
  let nextName = "verify";
  if (factor.factorType === "push") {
    factorResult = tx.push?.result ?? "WAITING";
    if (factorResult === "WAITING") {
      nextName = "poll";
      if (factor.push?.correctAnswer !== undefined) {
        factorBody._embedded = { challenge: { correctAnswer: factor.push.correctAnswer } };
      }
    }
  }
  const resendName = factor.factorType === "push" ? "push" : factor.factorType;
  return json({
    stateToken: tx.stateToken,
    expiresAt: oktaTime(tx.expiresAt),
    status: "MFA_CHALLENGE",
    factorResult,
    challengeType: "FACTOR",
    _embedded: { user: userJson(user), factor: factorBody, policy: policyJson(ctx.state) },
    _links: {
      next: { name: nextName, href, hints: POST },
      resend: [{ name: resendName, href: `${href}/resend`, hints: POST }],
      prev: { href: `${origin}/api/v1/authn/previous`, hints: POST },
      cancel: { href: `${origin}/api/v1/authn/cancel`, hints: POST },
    },
  });
}

/** Whether a device token is remembered for a user (MFA skipped). */
export function isRemembered(state: SimState, deviceToken: string | undefined, userId: string): boolean {
  if (!deviceToken) return false;
  const until = state.devices.get(deviceToken)?.get(userId);
  return until !== undefined && until > state.now();
}

/** Remembers a device for a user for the policy's lifetime. */
export function rememberDevice(state: SimState, deviceToken: string, userId: string): void {
  let users = state.devices.get(deviceToken);
  if (!users) state.devices.set(deviceToken, users = new Map());
  users.set(userId, state.now() + state.policy.rememberDeviceLifetimeInMinutes * 60_000);
}

/** Options for {@linkcode successResponse}. */
export interface SuccessOptions {
  /** Whether a factor was verified. */
  mfa: boolean;
  /** Authentication methods. */
  amr: string[];
  /** The existing session a step-up upgraded. */
  stepUpSessionId?: string;
  /** `_links.next` for a step-up: the app link to go back to. */
  nextHref?: string;
}

/** Issues a one-time sessionToken and renders SUCCESS. */
export function successResponse(ctx: SimContext, user: SimUser, options: SuccessOptions): Response {
  const { state } = ctx;
  const token = newSessionToken();
  const expiresAt = state.now() + state.settings.sessionTokenTtlMs;
  state.sessionTokens.set(token, {
    userId: user.id,
    expiresAt,
    mfa: options.mfa,
    amr: options.amr,
    ...(options.stepUpSessionId !== undefined ? { stepUpSessionId: options.stepUpSessionId } : {}),
  });
  const body: Record<string, unknown> = {
    expiresAt: oktaTime(expiresAt),
    status: "SUCCESS",
    sessionToken: token,
    _embedded: { user: userJson(user) },
  };
  if (options.nextHref) {
    body._links = { next: { name: "original", href: options.nextHref, hints: { allow: ["GET"] } } };
  }
  return json(body);
}

/** What follows a correct password (or a skipped password warning) when the user is ACTIVE. */
export function afterPrimary(
  ctx: SimContext,
  user: SimUser,
  deviceToken: string | undefined,
): Response {
  const { state } = ctx;
  const wantsMfa = user.factors.length > 0 && user.mfaOnSignIn !== false;
  const remembered = wantsMfa && isRemembered(state, deviceToken, user.id);
  if (wantsMfa && !remembered) {
    const tx = newTransaction(state, user, "MFA_REQUIRED", deviceToken ? { deviceToken } : {});
    return transactionResponse(ctx, tx, user);
  }
  // A remembered device stands in for the factor, so app sign-on policies count it as MFA.
  return successResponse(ctx, user, { mfa: remembered, amr: remembered ? ["pwd", "mfa"] : ["pwd"] });
}
