/**
 * The `add` use case: ask for the Okta organization, domain, username and password (as aws-okta
 * did), prove them with a real login (MFA included), then store them in the keyring.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { configPath, loadAwsConfigSync } from "../config/aws_config.ts";
import {
  DEVICE_TOKEN_LABEL,
  oktaCredentialsKey,
  SESSION_COOKIE_LABEL,
  setOktaCredentials,
  setSecretString,
} from "./store/items.ts";
import { authenticate } from "../okta/classic_login.ts";
import { domainFor, oktaBaseUrl } from "../okta/domain.ts";
import type { AppContext } from "./context.ts";
import { DEVICE_TOKEN_KEY, optional } from "./sign_in/okta_login.ts";
import { securityKeyOpener } from "./sign_in/security_key_choice.ts";

/** Input of `aws-okta add`; anything missing is asked for. */
export interface AddInput {
  domain?: string;
  username?: string;
  account?: string;
}

/** What was stored. */
export interface AddResult {
  key: string;
  username: string;
  domain: string;
}

const REGIONS = ["us", "emea", "preview"] as const;

/** Asks, validates with a login, stores. */
export async function addCredentials(ctx: AppContext, input: AddInput): Promise<AddResult> {
  const { prompter } = ctx;
  // Where the credentials will go is settled before any question or login (no HOME, a keyring
  // that cannot be used): nobody should type a password and approve MFA to learn it.
  const keyring = await ctx.openKeyring();
  await keyring.checkWritable?.();
  let organization = "";
  let domain = input.domain?.trim();
  if (!domain) {
    organization = (await prompter.text("Okta organization: ")).trim();
    if (!organization) throw new AppError("no Okta organization given", { exitCode: 2 });
    const region = (await prompter.text("Okta region ([us], emea, preview): ", "us")).trim().toLowerCase();
    if (!REGIONS.includes(region as typeof REGIONS[number])) {
      throw new AppError(`unknown Okta region "${region}"`, { hint: "use us, emea or preview", exitCode: 2 });
    }
    const suggested = domainFor(organization, region as typeof REGIONS[number]);
    domain = (await prompter.text(`Okta domain [${suggested}]: `, suggested)).trim() || suggested;
  }
  const baseUrl = oktaBaseUrl(domain);
  const username = input.username?.trim() || (await prompter.text("Okta username: ")).trim();
  if (!username) throw new AppError("no Okta username given", { exitCode: 2 });
  const password = await prompter.secret("Okta password: ");
  if (!password) throw new AppError("no Okta password given", { exitCode: 2 });

  const mfa = oktaSectionMfa(ctx);
  const fetch = await ctx.buildFetch();
  prompter.say(`Checking the credentials with ${baseUrl.host}…`);
  const session = await authenticate({
    baseUrl,
    username,
    password: () => Promise.resolve(password),
    mfa,
    fetch,
    prompter,
    debug: ctx.debug,
    openSecurityKey: securityKeyOpener(ctx),
  });

  const key = oktaCredentialsKey(input.account);
  // Go aws-okta reads Domain as a host (with any port) and prepends "https://": store https
  // domains that way so that both tools share the item; only loopback http keeps its scheme.
  const storedDomain = baseUrl.protocol === "https:" ? baseUrl.host : baseUrl.origin;
  await setOktaCredentials(keyring, key, {
    Organization: organization,
    Username: username,
    Password: password,
    Domain: storedDomain,
  });
  // Keep the new Okta session so that the first cred-process needs no second MFA.
  if (session.sessionCookie && !input.account) {
    await setSecretString(keyring, "okta-session-cookie", session.sessionCookie, SESSION_COOKIE_LABEL);
  }
  if (session.deviceToken) {
    await setSecretString(keyring, DEVICE_TOKEN_KEY, session.deviceToken, DEVICE_TOKEN_LABEL);
  }
  return { key, username, domain: storedDomain };
}

/** MFA choice for `add`: global flags/env, else the [okta] section if the config file parses. */
function oktaSectionMfa(ctx: AppContext) {
  let okta: Record<string, string> = {};
  try {
    okta = loadAwsConfigSync(configPath(ctx.env, ctx.home)).okta;
  } catch {
    // `add` does not need the config file; a broken one is reported by the commands that do.
  }
  return {
    ...optional("provider", ctx.options.mfaProvider ?? okta["mfa_provider"]),
    ...optional("factorType", ctx.options.mfaFactorType ?? okta["mfa_factor_type"]),
    ...optional("duoDevice", ctx.options.mfaDuoDevice ?? okta["mfa_duo_device"]),
  };
}
