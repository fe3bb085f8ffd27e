/**
 * Okta's security key factors, `webauthn` and `u2f`, verified for real: the first verify issues a
 * challenge (MFA_CHALLENGE with `_embedded.factor._embedded.challenge`); the second must carry an
 * ES256 signature by the factor's registered key ({@linkcode SimFidoCredential}) over the real
 * structures:
 *
 * - webauthn: clientData, authenticatorData, signatureData in standard base64; the client data is
 *   `webauthn.get` with the issued challenge and the org origin; the authenticator data has the
 *   rpIdHash of the org host and the user-present flag (user-verified when the challenge asked
 *   for it); the signature covers authenticatorData || SHA-256(clientData).
 * - u2f: clientData and signatureData in web-safe base64 without padding; the client data is
 *   `navigator.id.getAssertion` with the issued nonce and the origin; signatureData is
 *   flags || counter || DER signature over SHA-256(appId) || flags || counter || SHA-256(clientData).
 *
 * A wrong answer counts as a failed factor (403 E0000068, lockout at the limit). Counts:
 * `fido:challenge`, `fido:verified`. Importing this module registers both verifiers.
 *
 * @module
 */

import { json, type Route, type SimContext } from "./http.ts";
import { randomString } from "./ids.ts";
import { type FactorVerifier, factorVerifiers, type VerifyStep } from "./okta_factors.ts";
import { factorProfile, oktaTime, policyJson, userJson, verifyHref } from "./okta_transaction.ts";
import type { SimFactor, SimFidoCredential, SimState } from "./state.ts";

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** An outstanding challenge, by state token. */
interface FidoChallenge {
  factorId: string;
  /** base64url challenge (webauthn) or nonce (u2f). */
  value: string;
}

const challenges = new WeakMap<SimState, Map<string, FidoChallenge>>();

function pending(state: SimState): Map<string, FidoChallenge> {
  let map = challenges.get(state);
  if (!map) challenges.set(state, map = new Map());
  return map;
}

/** A FIDO factor whose profile names the credential, for `users[].factors`. */
export function fidoFactor(
  id: string,
  factorType: "webauthn" | "u2f",
  credential: SimFidoCredential,
): SimFactor {
  return {
    id,
    factorType,
    provider: "FIDO",
    profile: factorType === "u2f"
      ? { credentialId: credential.credentialId, version: "U2F_V2" }
      : { credentialId: credential.credentialId, authenticatorName: "Security Key by Yubico" },
    fido: credential,
  };
}

function issueChallenge(ctx: SimContext, step: VerifyStep): Response {
  const { tx, user, factor } = step;
  const value = randomString(BASE64URL, factor.factorType === "u2f" ? 43 : 32);
  pending(ctx.state).set(tx.stateToken, { factorId: factor.id, value });
  tx.status = "MFA_CHALLENGE";
  tx.factorId = factor.id;
  delete tx.push;
  delete tx.codeSentAt;
  ctx.state.bump("fido:challenge");
  const challenge: Record<string, unknown> = factor.factorType === "u2f"
    ? { nonce: value, timeoutSeconds: 20 }
    : { challenge: value, extensions: {} };
  if (factor.factorType === "webauthn" && factor.fido?.userVerification) {
    challenge.userVerification = factor.fido.userVerification;
  }
  const href = verifyHref(ctx.origin, factor);
  return json({
    stateToken: tx.stateToken,
    expiresAt: oktaTime(tx.expiresAt),
    status: "MFA_CHALLENGE",
    factorResult: "CHALLENGE",
    challengeType: "FACTOR",
    _embedded: {
      user: userJson(user),
      factor: {
        id: factor.id,
        factorType: factor.factorType,
        provider: factor.provider,
        vendorName: factor.provider,
        profile: factorProfile(factor, user),
        _embedded: { challenge },
      },
      policy: policyJson(ctx.state),
    },
    _links: {
      next: { name: "verify", href, hints: { allow: ["POST"] } },
      prev: { href: `${ctx.origin}/api/v1/authn/previous`, hints: { allow: ["POST"] } },
      cancel: { href: `${ctx.origin}/api/v1/authn/cancel`, hints: { allow: ["POST"] } },
    },
  });
}

/** Strict standard base64 (padding required, no web-safe characters). */
function decodeBase64(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    return undefined;
  }
  try {
    return Uint8Array.fromBase64(value);
  } catch {
    return undefined;
  }
}

/** Strict web-safe base64 without padding. */
function decodeBase64Url(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  try {
    return Uint8Array.fromBase64(value, { alphabet: "base64url" });
  } catch {
    return undefined;
  }
}

function parseJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

async function sha256(bytes: Uint8Array | string): Promise<Uint8Array> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** DER ECDSA signature → raw r || s (32 bytes each), or undefined when malformed. */
export function derToRaw(der: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  if (der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const raw = new Uint8Array(64);
  let offset = 2;
  for (const target of [0, 32]) {
    if (der[offset] !== 0x02) return undefined;
    const length = der[offset + 1] ?? 0;
    let value = der.subarray(offset + 2, offset + 2 + length);
    if (value.length !== length || length === 0) return undefined;
    while (value.length > 32 && value[0] === 0) value = value.subarray(1);
    if (value.length > 32) return undefined;
    raw.set(value, target + 32 - value.length);
    offset += 2 + length;
  }
  return offset === der.length ? raw : undefined;
}

async function verifyEs256(credential: SimFidoCredential, signed: Uint8Array<ArrayBuffer>, der: Uint8Array) {
  const raw = derToRaw(der);
  const { x, y } = credential.publicKey;
  if (!raw || !x || !y) return false;
  try {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "EC", crv: "P-256", x, y },
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, signed);
  } catch {
    return false;
  }
}

/** Checks a WebAuthn answer; returns why it is wrong, or undefined when it verifies. */
async function checkWebAuthn(
  ctx: SimContext,
  step: VerifyStep,
  challenge: string,
): Promise<string | undefined> {
  const credential = step.factor.fido;
  if (!credential) return "no credential is registered for this factor";
  const clientData = decodeBase64(step.body.clientData);
  const authData = decodeBase64(step.body.authenticatorData);
  const signature = decodeBase64(step.body.signatureData);
  if (!clientData || !authData || !signature) {
    return "clientData, authenticatorData and signatureData must be base64";
  }
  const client = parseJson(clientData);
  if (client?.type !== "webauthn.get") return "clientData.type must be webauthn.get";
  if (client.challenge !== challenge) return "clientData.challenge is not the issued challenge";
  if (client.origin !== ctx.origin) return "clientData.origin is not the org";
  if (client.crossOrigin !== undefined && client.crossOrigin !== false) {
    return "clientData.crossOrigin is set";
  }
  if (authData.length < 37) return "authenticatorData is too short";
  if (!equal(authData.subarray(0, 32), await sha256(ctx.url.hostname))) return "rpIdHash is not the org host";
  const flags = authData[32] ?? 0;
  if (!(flags & 0x01)) return "the user-present flag is not set";
  if (credential.userVerification === "required" && !(flags & 0x04)) {
    return "the user-verified flag is not set";
  }
  const signed = concat(authData, await sha256(clientData));
  return await verifyEs256(credential, signed, signature) ? undefined : "the signature does not verify";
}

/** Checks a U2F answer; returns why it is wrong, or undefined when it verifies. */
async function checkU2f(ctx: SimContext, step: VerifyStep, nonce: string): Promise<string | undefined> {
  const credential = step.factor.fido;
  if (!credential) return "no credential is registered for this factor";
  const clientData = decodeBase64Url(step.body.clientData);
  const signatureData = decodeBase64Url(step.body.signatureData);
  if (!clientData || !signatureData) {
    return "clientData and signatureData must be web-safe base64 without padding";
  }
  const client = parseJson(clientData);
  if (client?.typ !== "navigator.id.getAssertion") return "clientData.typ must be navigator.id.getAssertion";
  if (client.challenge !== nonce) return "clientData.challenge is not the issued nonce";
  if (client.origin !== ctx.origin) return "clientData.origin is not the org";
  if (signatureData.length < 6) return "signatureData is too short";
  if (!((signatureData[0] ?? 0) & 0x01)) return "the user-present flag is not set";
  const profile = factorProfile(step.factor, step.user);
  const appId = typeof profile.appId === "string" ? profile.appId : ctx.origin;
  const signed = concat(await sha256(appId), signatureData.subarray(0, 5), await sha256(clientData));
  return await verifyEs256(credential, signed, signatureData.subarray(5))
    ? undefined
    : "the signature does not verify";
}

const verifyFido: FactorVerifier = async (ctx, step) => {
  const { tx, factor, body } = step;
  const issued = pending(ctx.state).get(tx.stateToken);
  const answering = body.clientData !== undefined || body.signatureData !== undefined;
  if (!answering || !issued || issued.factorId !== factor.id || tx.factorId !== factor.id) {
    return issueChallenge(ctx, step);
  }
  // A challenge is good for one answer, right or wrong.
  pending(ctx.state).delete(tx.stateToken);
  const problem = factor.factorType === "u2f"
    ? await checkU2f(ctx, step, issued.value)
    : await checkWebAuthn(ctx, step, issued.value);
  if (problem) return step.fail(`Security key verification failed: ${problem}`);
  ctx.state.bump("fido:verified");
  return step.succeed();
};

/** No routes of their own: both factors use the common verify URL. */
export const webauthnRoutes: Route[] = [];

factorVerifiers.set("webauthn", verifyFido);
factorVerifiers.set("u2f", verifyFido);
