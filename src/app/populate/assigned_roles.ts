/**
 * Every AWS role Okta grants the user, for `populate`: one sign-in, the user's AWS apps, and each
 * app's SAML assertion.
 *
 * - Identity Engine (the device flow applies, see login_flow.ts): the stored tokens when fresh,
 *   else a refresh or the browser; the apps from appLinks (with the token); each app's SAML through
 *   the token exchange.
 * - Classic: the stored Okta session when Okta still accepts it, else password + MFA once; the apps
 *   from appLinks with that session cookie (else the configured `aws_saml_url`); each app's SAML
 *   from its embed link with the same session (an app's MFA step-up is done once, when asked).
 *
 * An app whose assertion cannot be had (say, its sign-on policy refuses) is reported and skipped,
 * unless every app fails.
 *
 * Loaded lazily, by `populate` only.
 *
 * @module
 */

import type { ResolvedProfile } from "../../config/aws_config.ts";
import { AppError } from "../../errors.ts";
import type { Keyring } from "../../keyring/keyring.ts";
import { getOktaCredentials, getSecretString } from "../store/items.ts";
import type { Fetch } from "../../net/fetch.ts";
import { type AwsAppLink, isSignedOut, listAwsAppLinks } from "../../okta/app_links.ts";
import { parseSamlAssertion, type SamlRole } from "../../okta/assertion.ts";
import { oktaBaseUrl } from "../../okta/domain.ts";
import { OAuthError } from "../../okta/oauth.ts";
import type { AppContext } from "../context.ts";
import { deviceSessionIfChosen, listApps, samlForApp } from "../sign_in/device_login.ts";
import { deviceSettings, type LoginFlow } from "../sign_in/login_flow.ts";
import { classicSignIn, samlLogin } from "../sign_in/okta_login.ts";

/** One AWS app with what pins a profile to it. */
export interface AwsApp {
  /** App instance id (`0oa…`). */
  id: string;
  /** Dashboard label ("" when unknown). */
  label: string;
  /** Classic: the embed link as `aws_saml_url` wants it (a path on the org, else the full URL). */
  samlUrl?: string;
}

/** An app and the roles its assertion offers. */
export interface AppRoles {
  app: AwsApp;
  roles: SamlRole[];
  /** The base64 SAMLResponse (valid for minutes: the alias lookup assumes one role per account with it). */
  samlResponse: string;
}

/** What {@linkcode assignedRoles} found. */
export interface AssignedRoles {
  flow: Exclude<LoginFlow, "auto">;
  apps: AppRoles[];
  /** Apps whose assertion could not be read, and why. */
  skipped: { app: AwsApp; reason: string }[];
}

/** Signs in once and reads the roles of every AWS app the user is assigned. */
export async function assignedRoles(
  ctx: AppContext,
  profile: ResolvedProfile,
  keyring: Keyring,
  fetch: Fetch,
): Promise<AssignedRoles> {
  const session = await deviceSessionIfChosen(ctx, profile, keyring, fetch, true);
  if (session) {
    let links: AwsAppLink[];
    try {
      links = await listApps(ctx, session);
    } catch (error) {
      // Without the appLinks scope, a configured app is still one app.
      const appId = deviceSettings(profile).appId;
      if (!(error instanceof OAuthError) || !appId) throw error;
      ctx.prompter.say(`Note: ${error.message}; using okta_aws_fed_app_id "${appId}" only`);
      links = [{ id: appId, label: "" }];
    }
    return await readApps(ctx, "device", links, (app) => samlForApp(ctx, session, app.id));
  }
  const apps = await classicApps(ctx, profile, keyring, fetch);
  return await readApps(ctx, "classic", apps, async (app) => {
    // The app's own link, with the session stored by the sign-in (or the previous app).
    const classic = (key: string) => key === "okta_auth_flow" ? "classic" : profile.lookup(key);
    const login = await samlLogin(
      ctx,
      { ...profile, samlUrl: app.samlUrl!, lookup: classic },
      keyring,
      fetch,
    );
    return login.samlResponse;
  });
}

/** Reads each app's assertion; skips the apps that fail, unless all do. */
async function readApps(
  ctx: AppContext,
  flow: AssignedRoles["flow"],
  apps: readonly AwsApp[],
  saml: (app: AwsApp) => Promise<string>,
): Promise<AssignedRoles> {
  if (apps.length === 0) {
    throw new AppError("no AWS app is assigned to you in Okta", {
      hint: "ask your Okta admin to assign the AWS Account Federation app",
    });
  }
  const result: AssignedRoles = { flow, apps: [], skipped: [] };
  let firstError: unknown;
  for (const app of apps) {
    ctx.debug(`okta: reading the roles of "${app.label}" (${app.id})`);
    try {
      const samlResponse = await saml(app);
      const { roles } = await parseSamlAssertion(samlResponse);
      result.apps.push({ app, roles, samlResponse });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      firstError ??= error;
      result.skipped.push({ app, reason: error.message });
    }
  }
  if (result.apps.length === 0) throw firstError;
  return result;
}

/** The AWS apps of a Classic login: appLinks with the Okta session, else `aws_saml_url`. */
async function classicApps(
  ctx: AppContext,
  profile: ResolvedProfile,
  keyring: Keyring,
  fetch: Fetch,
): Promise<AwsApp[]> {
  const creds = await getOktaCredentials(keyring, profile.credentialsKey);
  let baseUrl = oktaBaseUrl(creds.Domain);
  let cookie = await getSecretString(keyring, profile.sessionCookieKey);
  let links: AwsAppLink[] | undefined;
  try {
    if (cookie) links = await listAwsAppLinks({ fetch, baseUrl, sessionCookie: cookie });
    ctx.debug(links ? "okta: listed the apps with the stored Okta session" : "okta: no stored Okta session");
  } catch (error) {
    if (!isSignedOut(error)) return configuredApp(ctx, profile, error);
    ctx.debug("okta: the stored Okta session is over");
  }
  if (!links) {
    ({ baseUrl, sessionCookie: cookie } = await classicSignIn(ctx, profile, keyring, fetch));
    if (!cookie) return configuredApp(ctx, profile, new AppError("Okta opened no session"));
    try {
      links = await listAwsAppLinks({ fetch, baseUrl, sessionCookie: cookie });
    } catch (error) {
      return configuredApp(ctx, profile, error);
    }
  }
  return links.map((link) => ({
    id: link.id,
    label: link.label,
    samlUrl: samlUrlOf(baseUrl, link),
  }));
}

/** `aws_saml_url` when appLinks is not available; the listing's error otherwise. */
function configuredApp(ctx: AppContext, profile: ResolvedProfile, error: unknown): AwsApp[] {
  if (!(error instanceof AppError) || !profile.samlUrl) throw error;
  ctx.prompter.say(`Note: Okta did not list your apps (${error.message}); using aws_saml_url`);
  const id = /\/amazon_aws\/([^/]+)/.exec(profile.samlUrl)?.[1] ?? profile.samlUrl;
  // No label is known: the profiles are named by account id.
  return [{ id, label: "", samlUrl: profile.samlUrl }];
}

/** The embed link as a path on the org (as `aws_saml_url` is usually written), else the full URL. */
function samlUrlOf(baseUrl: URL, link: AwsAppLink): string {
  if (!link.linkUrl) return `home/amazon_aws/${link.id}/272`;
  const url = new URL(link.linkUrl, baseUrl);
  return url.origin === baseUrl.origin ? `${url.pathname.replace(/^\/+/, "")}${url.search}` : url.href;
}
