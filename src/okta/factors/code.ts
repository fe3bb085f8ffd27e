/**
 * Factors answered by typing something: one-time codes from an app or a token (TOTP, YubiKey OTP,
 * Symantec VIP, RSA SecurID, HOTP), codes Okta sends (SMS, voice call, e-mail) and security
 * questions. A wrong code leaves the transaction usable, so the user gets three tries.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import type { OktaClient } from "../client.ts";
import { OktaApiError } from "../client.ts";
import { type FactorContext, isRejectedCode, requireStateToken, verifyCall, verifyHref } from "./handler.ts";

const MAX_ATTEMPTS = 3;

/** Display names for the token providers, as their apps and devices call themselves. */
const PROVIDER_NAMES: Record<string, string> = {
  OKTA: "Okta Verify",
  GOOGLE: "Google Authenticator",
  YUBICO: "YubiKey",
  SYMANTEC: "Symantec VIP",
  RSA: "RSA SecurID",
};

/** TOTP, hardware OTP and token factors: ask for the code and verify it. */
export function verifyPasscode(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  const name = PROVIDER_NAMES[factor.provider.toUpperCase()] ?? factor.vendorName ?? factor.provider;
  return askUntilAccepted(client, context, {
    href: verifyHref(factor),
    stateToken: requireStateToken(transaction),
    field: "passCode",
    what: "MFA code",
    ask: () => context.prompter.text(`Enter ${name} code: `),
  });
}

/** SMS, voice call and e-mail: the first verify makes Okta send the code, the second checks it. */
export async function verifySentCode(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  let stateToken = requireStateToken(transaction);
  let href = verifyHref(factor);
  try {
    const sent = (await verifyCall(client, href, { stateToken })).body;
    if (sent.status !== "MFA_CHALLENGE") return sent;
    if (sent.stateToken) stateToken = sent.stateToken;
    if (sent._links?.next?.href) href = sent._links.next.href;
  } catch (error) {
    // "Sent moments ago" (E0000109): the earlier code is still good, so go on and ask for it.
    if (!(error instanceof OktaApiError && error.errorCode === "E0000109")) throw error;
    context.prompter.say("Okta sent a code moments ago; use that one");
  }
  const profile = factor.profile ?? {};
  const phone = typeof profile.phoneNumber === "string" ? profile.phoneNumber : "your phone";
  const email = typeof profile.email === "string" ? profile.email : "your e-mail address";
  let prompt: string;
  switch (factor.factorType) {
    case "call":
      context.prompter.say(`Okta is calling ${phone}`);
      prompt = "Enter the code from the call: ";
      break;
    case "email":
      context.prompter.say(`Okta sent a code to ${email}`);
      prompt = "Enter the e-mail code: ";
      break;
    default:
      context.prompter.say(`Okta sent a code by SMS to ${phone}`);
      prompt = "Enter the SMS code: ";
  }
  return askUntilAccepted(client, context, {
    href,
    stateToken,
    field: "passCode",
    what: "MFA code",
    ask: () => context.prompter.text(prompt),
  });
}

/** Security question: show the question, read the answer without echo. */
export function verifyQuestion(
  client: OktaClient,
  transaction: AuthnResponse,
  factor: Factor,
  context: FactorContext,
): Promise<AuthnResponse> {
  const text = factor.profile?.questionText;
  const question = typeof text === "string" && text.trim() ? text.trim() : "Security question";
  return askUntilAccepted(client, context, {
    href: verifyHref(factor),
    stateToken: requireStateToken(transaction),
    field: "answer",
    what: "security answer",
    ask: () => context.prompter.secret(`${question}: `),
  });
}

interface CodeRequest {
  href: string;
  stateToken: string;
  field: "passCode" | "answer";
  /** "MFA code" or "security answer", for messages. */
  what: string;
  ask: () => Promise<string>;
}

async function askUntilAccepted(
  client: OktaClient,
  context: FactorContext,
  request: CodeRequest,
): Promise<AuthnResponse> {
  const noun = request.field === "answer" ? "answer" : "code";
  let rejected = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // Codes are often pasted with spaces ("123 456"); an answer keeps its inner spaces.
    const raw = await request.ask();
    const value = request.field === "passCode" ? raw.replace(/\s+/g, "") : raw.trim();
    if (value === "") {
      if (attempt < MAX_ATTEMPTS) context.prompter.say(`No ${noun} entered; try again`);
      continue;
    }
    try {
      const body = { stateToken: request.stateToken, [request.field]: value };
      return (await verifyCall(client, request.href, body)).body;
    } catch (error) {
      if (!isRejectedCode(error)) throw error;
      rejected++;
      context.debug?.(`okta: ${request.what} rejected (attempt ${attempt})`);
      if (attempt < MAX_ATTEMPTS) context.prompter.say(`Okta rejected the ${noun}; try again`);
    }
  }
  if (rejected === MAX_ATTEMPTS) {
    throw new AppError(`Okta rejected the ${request.what} ${MAX_ATTEMPTS} times`, {
      hint: request.field === "passCode"
        ? "check the device's clock and the factor you picked, then run the command again"
        : "run the command again",
    });
  }
  throw new AppError(`no valid ${request.what} entered after ${MAX_ATTEMPTS} attempts`, {
    hint: "run the command again",
  });
}
