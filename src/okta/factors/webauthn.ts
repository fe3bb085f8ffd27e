/**
 * Security keys: Okta's `webauthn` and `u2f` factors. The first verify call returns a challenge; we
 * build the client data a browser would, have the security key sign it, and send the result back
 * in the encodings Okta's sign-in widget uses: standard base64 for WebAuthn (clientData,
 * authenticatorData, signatureData), web-safe base64 without padding for U2F (clientData,
 * signatureData), as the U2F JavaScript API returned them.
 *
 * @module
 */

import { AppError, isRecord } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import { OktaApiError, type OktaClient } from "../client.ts";
import { type FactorContext, factorLabel, requireStateToken, verifyCall, verifyHref } from "./handler.ts";
import type {
  Assertion,
  AssertionRequest,
  Authenticator,
  UserVerification,
} from "../../fido/authenticator.ts";

/** The challenge of a WebAuthn factor, as found in an MFA_CHALLENGE answer. */
export interface WebAuthnChallenge {
  /** The challenge, base64url as Okta sends it. */
  challenge: string;
  /** Credential ids (base64url) the key may use. */
  credentialIds: string[];
  /** User verification wanted (WebAuthn's default "preferred" when Okta names none). */
  userVerification: UserVerification;
}

/** The challenge of a U2F factor. */
export interface U2fChallenge {
  /** The nonce (web-safe base64) that goes into the client data. */
  nonce: string;
  /** The key handle (web-safe base64). */
  keyHandle: string;
  /** The U2F app id (an https URL); the Okta origin unless the factor names one. */
  appId: string;
}

/** Verifies a `webauthn` factor with the security key. */
export async function verifyWebAuthn(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  const stateToken = requireStateToken(transaction);
  const answer = (await verifyCall(client, verifyHref(factor), { stateToken })).body;
  if (answer.status !== "MFA_CHALLENGE") return answer;
  const challenge = webAuthnChallenge(answer, factor);
  const origin = client.baseUrl.origin;
  const clientData = webAuthnClientData(challenge.challenge, origin);
  context.debug?.(`okta: WebAuthn challenge for ${challenge.credentialIds.length} credential(s)`);
  const assertion = await sign(context, factor, {
    rpId: client.baseUrl.hostname,
    clientDataHash: await sha256(clientData),
    allowCredentialIds: challenge.credentialIds.map(fromBase64Url),
    userVerification: challenge.userVerification,
  });
  const body = webAuthnVerifyBody(answer.stateToken ?? stateToken, clientData, assertion);
  return await sendAssertion(client, answer._links?.next?.href ?? verifyHref(factor), body, factor);
}

/** Verifies a `u2f` factor with the security key (FIDO U2F through CTAP1, or a CTAP2 key). */
export async function verifyU2f(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  const stateToken = requireStateToken(transaction);
  const answer = (await verifyCall(client, verifyHref(factor), { stateToken })).body;
  if (answer.status !== "MFA_CHALLENGE") return answer;
  const challenge = u2fChallenge(answer, factor, client.baseUrl.origin);
  const clientData = u2fClientData(challenge.nonce, client.baseUrl.origin);
  const assertion = await sign(context, factor, {
    rpId: challenge.appId,
    clientDataHash: await sha256(clientData),
    allowCredentialIds: [fromBase64Url(challenge.keyHandle)],
    userVerification: "discouraged",
  });
  const body = u2fVerifyBody(answer.stateToken ?? stateToken, clientData, assertion);
  return await sendAssertion(client, answer._links?.next?.href ?? verifyHref(factor), body, factor);
}

/**
 * Reads the WebAuthn challenge of an MFA_CHALLENGE answer. Okta puts it on the challenged factor
 * (`_embedded.factor._embedded.challenge`) or, when it groups several keys, on `_embedded.challenge`
 * with the keys in `_embedded.factors`.
 */
export function webAuthnChallenge(answer: AuthnResponse, factor: Factor): WebAuthnChallenge {
  const embedded = answer._embedded ?? {};
  const challenged = embedded.factor;
  const data = record(challenged?._embedded?.challenge) ?? record(embedded.challenge);
  const challenge = data?.challenge;
  if (typeof challenge !== "string" || !BASE64URL.test(challenge)) {
    throw missing(factor, "challenge");
  }
  const grouped = Array.isArray(embedded.factors) ? embedded.factors : [];
  const candidates = grouped.length > 0 ? grouped : [challenged ?? factor];
  const credentialIds = candidates
    .map((candidate) => candidate?.profile?.credentialId)
    .filter((id): id is string => typeof id === "string" && id !== "" && BASE64URL.test(id));
  if (credentialIds.length === 0) {
    const own = factor.profile?.credentialId;
    if (typeof own === "string" && BASE64URL.test(own)) credentialIds.push(own);
  }
  const wanted = data?.userVerification;
  const userVerification: UserVerification =
    wanted === "required" || wanted === "discouraged" || wanted === "preferred" ? wanted : "preferred";
  return { challenge, credentialIds, userVerification };
}

/** Reads the U2F challenge of an MFA_CHALLENGE answer. */
export function u2fChallenge(answer: AuthnResponse, factor: Factor, origin: string): U2fChallenge {
  const challenged = answer._embedded?.factor;
  const nonce = record(challenged?._embedded?.challenge)?.nonce;
  if (typeof nonce !== "string" || nonce === "") throw missing(factor, "challenge");
  const profile = { ...factor.profile, ...challenged?.profile };
  const keyHandle = profile.credentialId;
  if (typeof keyHandle !== "string" || !BASE64URL.test(keyHandle)) throw missing(factor, "key handle");
  const appId = typeof profile.appId === "string" && profile.appId.startsWith("https://")
    ? profile.appId
    : origin;
  return { nonce, keyHandle, appId };
}

/**
 * The client data JSON of a WebAuthn assertion, member order as browsers write it. The challenge
 * is re-encoded from its bytes, the way a browser turns Okta's string into an ArrayBuffer and back.
 */
export function webAuthnClientData(challenge: string, origin: string): string {
  const encoded = toBase64Url(fromBase64Url(challenge));
  return JSON.stringify({ type: "webauthn.get", challenge: encoded, origin, crossOrigin: false });
}

/** The client data JSON of a U2F sign request (FIDO U2F JavaScript API). */
export function u2fClientData(nonce: string, origin: string): string {
  return JSON.stringify({ typ: "navigator.id.getAssertion", challenge: nonce, origin });
}

/** The body of the WebAuthn verify call (standard base64, as Okta's sign-in widget sends it). */
export function webAuthnVerifyBody(
  stateToken: string,
  clientData: string,
  assertion: Assertion,
): Record<string, string> {
  return {
    stateToken,
    clientData: new TextEncoder().encode(clientData).toBase64(),
    authenticatorData: assertion.authenticatorData.toBase64(),
    signatureData: assertion.signature.toBase64(),
  };
}

/**
 * The body of the U2F verify call. U2F's signatureData is the raw authentication response: the
 * user-presence flags byte, the 4-byte counter, then the signature; the CTAP2 authenticator data
 * carries the first two right after the 32-byte rpIdHash.
 */
export function u2fVerifyBody(
  stateToken: string,
  clientData: string,
  assertion: Assertion,
): Record<string, string> {
  const authData = assertion.authenticatorData;
  if (authData.length < 37) {
    throw new AppError("the security key returned authenticator data that is too short", {
      hint: "try again, or use another factor with --mfa-factor-type",
    });
  }
  const signatureData = new Uint8Array(5 + assertion.signature.length);
  signatureData.set(authData.subarray(32, 37), 0);
  signatureData.set(assertion.signature, 5);
  return {
    stateToken,
    clientData: toBase64Url(new TextEncoder().encode(clientData)),
    signatureData: toBase64Url(signatureData),
  };
}

async function sign(context: FactorContext, factor: Factor, request: AssertionRequest): Promise<Assertion> {
  if (!context.openSecurityKey) {
    throw new AppError(
      `the MFA factor "${factorLabel(factor)}" needs a security key, which is not available here`,
      {
        hint: "pick another factor with --mfa-factor-type",
      },
    );
  }
  const key: Authenticator = await context.openSecurityKey();
  try {
    return await key.getAssertion(request);
  } finally {
    await key.close();
  }
}

async function sendAssertion(
  client: OktaClient,
  href: string,
  body: Record<string, string>,
  factor: Factor,
): Promise<AuthnResponse> {
  try {
    return (await verifyCall(client, href, body)).body;
  } catch (error) {
    // Okta answers a bad signature, an unknown credential or a stale challenge with a 403.
    if (error instanceof OktaApiError && error.status === 403 && error.errorCode !== "E0000069") {
      throw new AppError(
        `Okta rejected the security key's answer: ${error.errorSummary || error.errorCode}`,
        {
          hint: `check that this key is the one enrolled as "${
            factorLabel(factor)
          }", then run the command again`,
          cause: error,
        },
      );
    }
    throw error;
  }
}

function missing(factor: Factor, what: string): AppError {
  return new AppError(`Okta's challenge for the MFA factor "${factorLabel(factor)}" has no ${what}`, {
    hint: "pick another factor with --mfa-factor-type",
  });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

const BASE64URL = /^[A-Za-z0-9_\-+/]+={0,2}$/;

/** Decodes base64url (standard base64 and padding are tolerated, as browsers' helpers do). */
export function fromBase64Url(text: string): Uint8Array {
  const normalized = text.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  try {
    return Uint8Array.fromBase64(normalized, { alphabet: "base64url" });
  } catch (error) {
    throw new AppError("Okta sent a security key value that is not base64url", {
      hint: "pick another factor with --mfa-factor-type",
      cause: error,
    });
  }
}

/** Encodes bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
