/**
 * The `login` use case: a browser sign-in URL for the AWS console.
 *
 * By default it federates the profile's own credentials (the configured role, after every hop of
 * the chain) through the partition's federation endpoint and lands on the profile's region. With
 * `oktaApp`, it opens the profile's Okta AWS app instead, as segmentio/aws-okta did for profiles
 * with their own aws_saml_url: AWS's SAML page then offers every role of the assertion.
 *
 * @module
 */

import { consoleDestination, federationEndpoint, getSigninToken, loginUrl } from "../aws/console_url.ts";
import { partitionOf } from "../aws/credentials.ts";
import { configPath, loadAwsConfigSync, type ResolvedProfile, resolveProfile } from "../config/aws_config.ts";
import { AppError } from "../errors.ts";
import { getOktaCredentials } from "./store/items.ts";
import { oktaBaseUrl } from "../okta/domain.ts";
import type { AppContext } from "./context.ts";
import { type CredentialRequest, getCredentials } from "./cred_process.ts";
import { rememberPassphrase } from "./store/remembered_passphrase.ts";

/** What to sign in to. */
export interface ConsoleLoginRequest {
  /** The profile and TTL options, as for every credential command. */
  credentials: CredentialRequest;
  /** Open the Okta AWS app (role chosen on AWS's SAML page) instead of federating credentials. */
  oktaApp?: boolean;
}

/** The sign-in URL and how it was made. */
export interface ConsoleLogin {
  /** The URL to open; with federation it holds a sign-in token (valid 15 minutes). */
  url: string;
  /** "federation" or "okta-app". */
  kind: "federation" | "okta-app";
  /** The console URL the sign-in lands on (federation only). */
  destination?: string;
}

/** Builds the sign-in URL for the request. */
export async function consoleLogin(ctx: AppContext, request: ConsoleLoginRequest): Promise<ConsoleLogin> {
  const context: AppContext = { ...ctx, prompter: rememberPassphrase(ctx.prompter) };
  if (request.oktaApp) {
    const profile = resolveProfile(
      loadAwsConfigSync(configPath(ctx.env, ctx.home)),
      request.credentials.profile,
    );
    const url = await oktaAppUrl(context, profile);
    if (!url) {
      throw new AppError(`profile "${profile.name}" has no Okta AWS app to open`, {
        hint: "set aws_saml_url in the profile or in [okta], or sign in without --okta-app",
      });
    }
    return { url, kind: "okta-app" };
  }

  const result = await getCredentials(context, request.credentials);
  const { profile, credentials } = result;
  const partition = partitionOf(result.roleArn ?? profile.region ?? "us-east-1");
  const endpoint = federationEndpoint(partition, ctx.env.get("AWS_OKTA_FEDERATION_ENDPOINT"));
  // The federation endpoint refuses SessionDuration for role-chained credentials; otherwise the
  // console session lasts as long as the role session does.
  const chained = profile.hops.length > 0;
  const remaining = Math.floor((credentials.expiration.getTime() - ctx.now().getTime()) / 1000);
  const signinToken = await getSigninToken(await context.buildFetch(), {
    endpoint,
    creds: credentials,
    sessionDuration: chained ? undefined : remaining,
  });
  const destination = consoleDestination(partition, profile.region);
  const issuer = await oktaAppUrl(context, profile).catch((error) => {
    context.debug(`login: no Issuer: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  return { url: loginUrl({ endpoint, signinToken, destination, issuer }), kind: "federation", destination };
}

/**
 * The Okta AWS app's URL (where the console sends users whose session ended): the Okta domain of
 * the profile's stored credentials (or okta_org_domain) plus aws_saml_url; undefined without one.
 */
async function oktaAppUrl(ctx: AppContext, profile: ResolvedProfile): Promise<string | undefined> {
  const samlUrl = profile.samlUrl;
  if (!samlUrl) return undefined;
  if (/^https?:\/\//i.test(samlUrl)) return samlUrl;
  let domain = profile.lookup("okta_org_domain");
  if (!domain) {
    const keyring = await ctx.openKeyring();
    domain = (await getOktaCredentials(keyring, profile.credentialsKey)).Domain;
  }
  return new URL(samlUrl, oktaBaseUrl(domain).href.replace(/\/?$/, "/")).href;
}
