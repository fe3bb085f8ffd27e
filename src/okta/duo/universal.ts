/**
 * Okta's `claims_provider` factor with Duo's Universal Prompt behind it (Duo set up as an identity
 * provider factor in Okta Classic), followed without a browser:
 *
 * 1. the verify call answers MFA_CHALLENGE with `_links.next` named "redirect"
 *    (`/sso/idps/<id>?stateToken=…`, GET);
 * 2. that link redirects to Duo's OIDC authorize endpoint and on to the frameless prompt; the first
 *    host it leaves Okta for is the only other host this login will talk to;
 * 3. the prompt runs to approval (universal_prompt.ts) and Duo's exit redirects to Okta's
 *    callback (`/oauth2/v1/authorize/callback?state=…&code=…`);
 * 4. Okta redeems Duo's code there and sets its session cookie (`sid`): the answer is a SUCCESS
 *    without a sessionToken, marked so that the login fetches the app link with that session.
 *
 * One cookie jar per host: Okta's cookies stay with Okta, Duo's with Duo. A claims provider that is
 * not Duo (another identity provider's sign-in page) is reported with a pointer to the device flow.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { AuthnResponse, Factor } from "../authn.ts";
import { parseDuoDevice } from "./choice.ts";
import { runUniversalPrompt } from "./universal_prompt.ts";
import {
  type FactorHandler,
  factorLabel,
  requireStateToken,
  verifyCall,
  verifyHref,
} from "../factors/handler.ts";
import { sessionCookieAnswer } from "../session_answer.ts";
import { WebSession } from "../web_session.ts";

const LABEL = "Duo's Universal Prompt";
const DEVICE_FLOW_HINT = "set okta_auth_flow = device for the profile to sign in through the browser, " +
  "or pick another factor with --mfa-factor-type";

/** Verifies a `claims_provider` factor by following Duo's Universal Prompt. */
export const verifyDuoUniversal: FactorHandler = async (client, transaction, factor, context) => {
  // The device setting is checked before Okta is asked, so a bad value costs no transaction step.
  const choice = parseDuoDevice(context.duoDevice);
  const fetch = context.fetch;
  if (!fetch) throw new AppError("Duo needs a network client, which this login has not got");
  const debug = context.debug ?? (() => {});
  const stateToken = requireStateToken(transaction);
  const answer = (await verifyCall(client, verifyHref(factor), { stateToken })).body;
  if (answer.status !== "MFA_CHALLENGE") return answer;
  const start = client.resolve(redirectHref(answer, factor));

  const session = new WebSession({ fetch, label: LABEL });
  const okta = client.baseUrl;
  session.trust(okta, client.jar);
  let identityProvider: URL | undefined;
  const landing = await session.request(start, {
    step: "hand-off from Okta",
    // Okta's redirect names the identity provider; no third host is followed after it.
    adopt: (url) => {
      if (identityProvider) return false;
      identityProvider = new URL(url.origin);
      return true;
    },
  });
  if (landing.url.origin === okta.origin || !isFramelessPrompt(landing.url)) {
    const where = landing.url.origin === okta.origin ? "Okta's own pages" : `"${landing.url.host}"`;
    throw new AppError(
      `the MFA factor "${factorLabel(factor)}" signs in at ${where}, which is not Duo's Universal Prompt`,
      { hint: DEVICE_FLOW_HINT },
    );
  }
  debug("okta: following Duo's Universal Prompt");
  const back = await runUniversalPrompt({ session, landing, choice, context });
  if (back.origin !== okta.origin) {
    throw new AppError(`${LABEL} sent the login to "${back.host}" instead of back to Okta`, {
      hint: DEVICE_FLOW_HINT,
    });
  }

  // Okta turns Duo's code into its session cookie on this hop (or a later one on the org).
  let opened = false;
  const end = await session.request(back, {
    step: "return to Okta",
    until: (hop) => {
      if (hop.url.origin === okta.origin && hop.cookiesSet.includes("sid")) opened = true;
      return opened;
    },
  });
  if (!opened || !client.jar.get("sid")) {
    throw new AppError(`Okta opened no session after ${LABEL}: HTTP ${end.status} at "${end.url.pathname}"`, {
      hint: "run the command again",
    });
  }
  debug("okta: Okta opened a session after Duo");
  return sessionCookieAnswer(answer._embedded?.user);
};

/** The GET link Okta gives to the identity provider. */
function redirectHref(answer: AuthnResponse, factor: Factor): string {
  const next = answer._links?.next;
  const allow = next?.hints?.allow;
  if (
    !next?.href || (next.name !== undefined && next.name !== "redirect") || (allow && !allow.includes("GET"))
  ) {
    throw new AppError(`Okta's challenge for the MFA factor "${factorLabel(factor)}" has no link to follow`, {
      hint: DEVICE_FLOW_HINT,
    });
  }
  return next.href;
}

/** Duo's frameless prompt, where its OIDC authorize endpoint leads. */
function isFramelessPrompt(url: URL): boolean {
  return /^\/frame\/frameless\/v\d+\/auth$/.test(url.pathname) && url.searchParams.has("sid");
}
