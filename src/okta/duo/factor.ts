/**
 * Okta's Duo factor (`provider DUO`, factorType `web`) without a browser: the first verify call
 * returns Duo's host and Okta's signed request (`TX|…:APP|…`); we walk Duo's frame API for the
 * configured device and method (push, phone call or passcode), post Duo's signed answer to Okta's
 * `complete` link as the iframe would, then poll the verify link until Okta reports SUCCESS.
 *
 * Duo's Universal Prompt behind Okta's `claims_provider` factor is followed by universal.ts. A
 * frame session that Duo moves into its frameless prompt is reported with a pointer to the device
 * flow: no public client shows how such a session returns to Okta's iframe callback.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import type { OktaClient } from "../client.ts";
import { type DuoChoice, parseDuoDevice } from "./choice.ts";
import { DuoFrame } from "./frame.ts";
import {
  isApproved,
  isRefused,
  MAX_PASSCODE_ATTEMPTS,
  noPasscodeAccepted,
  notApprovedInTime,
  passcodeQuestion,
  refusal,
  startedLine,
} from "./outcome.ts";
import {
  delay,
  type FactorContext,
  type FactorHandler,
  factorLabel,
  requireStateToken,
  verifyCall,
  verifyHref,
} from "../factors/handler.ts";

const DEFAULT_POLL_INTERVAL_MS = 2000;
const DEFAULT_PUSH_TIMEOUT_MS = 5 * 60 * 1000;
/** Okta reflects the callback at once; a few polls cover a slow replica. */
const MAX_OKTA_POLLS = 10;
/** The Duo Web SDK version assumed when Okta's script link names none (aws-okta sent 2.1). */
const DEFAULT_DUO_VERSION = "2.1";

/** Duo's part of an MFA_CHALLENGE answer (`_embedded.factor._embedded.verification`). */
export interface DuoVerification {
  /** Duo API host. */
  host: string;
  /** The `TX|…` half of the signature: Okta's signed request to Duo. */
  tx: string;
  /** The `APP|…` half, sent back to Okta with Duo's answer. */
  app: string;
  /** Okta's callback (`…/lifecycle/duoCallback`), on the org. */
  completeHref: string;
  /** Duo Web SDK version from the script link, e.g. "2.6". */
  version: string;
}

/** Verifies a Duo factor through Duo's frame API. */
export const verifyDuo: FactorHandler = async (client, transaction, factor, context) => {
  const choice = parseDuoDevice(context.duoDevice);
  const fetch = context.fetch;
  if (!fetch) throw new AppError("Duo needs a network client, which this login has not got");
  let stateToken = requireStateToken(transaction);
  const first = (await verifyCall(client, verifyHref(factor), { stateToken })).body;
  if (first.status !== "MFA_CHALLENGE") return first;
  if (first.stateToken) stateToken = first.stateToken;
  const verification = duoVerification(first, factor);
  const completeUrl = client.resolve(verification.completeHref);

  const frameOptions: ConstructorParameters<typeof DuoFrame>[0] = { host: verification.host, fetch };
  if (context.debug) frameOptions.debug = context.debug;
  const frame = new DuoFrame(frameOptions);
  const parent = new URL("/signin/verify/duo/web", client.baseUrl).href;
  const sid = await frame.openSession(verification.tx, parent, verification.version);
  const cookie = await authenticate(frame, sid, choice, context);

  // What Duo's iframe posts to its parent's form: the factor, the transaction and Duo's answer.
  const callback = await fetch(completeUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    body: new URLSearchParams({
      id: factor.id,
      stateToken,
      sig_response: `${cookie}:${verification.app}`,
    }).toString(),
    redirect: "manual",
  });
  await callback.body?.cancel();
  if (callback.status >= 400) {
    throw new AppError(`Okta answered the Duo callback with HTTP ${callback.status}`, {
      hint: "run the command again",
    });
  }
  context.debug?.("okta: Duo answer delivered; polling Okta");
  return await pollOkta(client, first._links?.next?.href ?? verifyHref(factor), stateToken, context);
};

/** Reads Duo's verification data from an MFA_CHALLENGE answer. */
export function duoVerification(answer: AuthnResponse, factor: Factor): DuoVerification {
  const data = answer._embedded?.factor?._embedded?.verification;
  const verification = typeof data === "object" && data !== null ? data as Record<string, unknown> : {};
  const links = (verification._links ?? {}) as Record<string, { href?: unknown } | undefined>;
  const host = verification.host;
  const signature = verification.signature;
  const completeHref = links.complete?.href;
  if (typeof host !== "string" || typeof signature !== "string" || typeof completeHref !== "string") {
    throw new AppError(`Okta's challenge for the MFA factor "${factorLabel(factor)}" has no Duo data`, {
      hint: "pick another factor with --mfa-factor-type",
    });
  }
  const [tx = "", app = "", ...rest] = signature.split(":");
  if (!tx.startsWith("TX|") || !app.startsWith("APP|") || rest.length > 0) {
    throw new AppError("Okta's Duo request is not in the expected TX|…:APP|… form", {
      hint: "pick another factor with --mfa-factor-type",
    });
  }
  const script = links.script?.href;
  const version = typeof script === "string" ? /Duo-Web-v(\d+(?:\.\d+)*)/.exec(script)?.[1] : undefined;
  return { host, tx, app, completeHref, version: version ?? DEFAULT_DUO_VERSION };
}

/** Runs the chosen method to a decision; returns Duo's signed cookie. */
async function authenticate(
  frame: DuoFrame,
  sid: string,
  choice: DuoChoice,
  context: FactorContext,
): Promise<string> {
  if (choice.method === "Passcode") return await withPasscode(frame, sid, choice, context);
  const txid = await frame.prompt(sid, choice);
  context.prompter.say(startedLine(choice));
  const timeout = context.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  const interval = context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  for (let polls = 1;; polls++) {
    const status = await frame.status(sid, txid);
    if (isApproved(status)) return await frame.resultCookie(sid, status);
    if (isRefused(status)) throw refusal(choice, status);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw notApprovedInTime(choice, timeout);
    context.debug?.(`duo: waiting (${polls}, ${status.code || "no status"})`);
    await delay(Math.min(interval, remaining));
  }
}

/** Passcodes (Duo Mobile or a hardware token): asked on the terminal, three tries. */
async function withPasscode(
  frame: DuoFrame,
  sid: string,
  choice: DuoChoice,
  context: FactorContext,
): Promise<string> {
  const question = passcodeQuestion(choice);
  for (let attempt = 1; attempt <= MAX_PASSCODE_ATTEMPTS; attempt++) {
    const passcode = (await context.prompter.text(question)).replace(/\s+/g, "");
    if (passcode === "") {
      if (attempt < MAX_PASSCODE_ATTEMPTS) context.prompter.say("No passcode entered; try again");
      continue;
    }
    const txid = await frame.prompt(sid, choice, passcode);
    const status = await frame.status(sid, txid);
    if (isApproved(status)) return await frame.resultCookie(sid, status);
    context.debug?.(`duo: passcode refused (attempt ${attempt})`);
    if (attempt < MAX_PASSCODE_ATTEMPTS) context.prompter.say("Duo rejected the passcode; try again");
  }
  throw noPasscodeAccepted();
}

/** Polls Okta's verify link after the callback until the transaction leaves MFA_CHALLENGE. */
async function pollOkta(
  client: OktaClient,
  href: string,
  stateToken: string,
  context: FactorContext,
): Promise<AuthnResponse> {
  const interval = Math.min(context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 1000);
  for (let poll = 1; poll <= MAX_OKTA_POLLS; poll++) {
    const answer = (await verifyCall(client, href, { stateToken })).body;
    if (answer.status !== "MFA_CHALLENGE") return answer;
    const result = answer.factorResult ?? "WAITING";
    if (result !== "WAITING" && result !== "CHALLENGE") {
      throw new AppError(`Okta did not accept Duo's answer: "${result}"`, { hint: "run the command again" });
    }
    await delay(interval);
  }
  throw new AppError("Okta did not confirm Duo's answer", { hint: "run the command again" });
}
