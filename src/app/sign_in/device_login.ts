/**
 * The Okta Identity Engine login: OIDC device authorization → token exchange for a web SSO token →
 * `/login/token/sso` → the SAMLResponse the classic flow also ends with, so role choice, STS, role
 * hops, the cache and the lock are shared.
 *
 * Tokens (access, id, refresh, device secret) live in the keyring per org and client id: a fresh
 * access token, or a refresh token that still works, means no browser. A refresh token Okta no
 * longer accepts (`invalid_grant`) or a terminated session drops the stored tokens and starts
 * device authorization once more.
 *
 * Loaded lazily, on a cache miss of a device-flow profile (or by `web`).
 *
 * @module
 */

import { AppError, InteractionNeededError } from "../../errors.ts";
import type { Fetch } from "../../net/fetch.ts";
import type { ResolvedProfile } from "../../config/aws_config.ts";
import type { Keyring } from "../../keyring/keyring.ts";
import { getOktaCredentials } from "../store/items.ts";
import {
  getOidcTokens,
  type OidcTokens,
  oidcTokensKey,
  removeOidcTokens,
  setOidcTokens,
} from "../store/oidc_tokens.ts";
import { type AwsAppLink, listAwsAppLinks } from "../../okta/app_links.ts";
import {
  type DeviceAuthorization,
  pollDeviceToken,
  startDeviceAuthorization,
} from "../../okta/device_authorization.ts";
import { oktaBaseUrl } from "../../okta/domain.ts";
import { OAuthError, type TokenSet, unverifiedClaims } from "../../okta/oauth.ts";
import { exchangeWebSsoToken, isStaleSubject, refreshTokens } from "../../okta/oidc_grants.ts";
import { discoverPipeline } from "../../okta/org_discovery.ts";
import { redeemWebSsoToken } from "../../okta/web_sso.ts";
import type { AppContext } from "../context.ts";
import { type DeviceSettings, deviceSettings, mayUseDeviceFlow } from "./login_flow.ts";
import { formatTimestamp } from "../../timestamp.ts";

/** Where and as whom to sign in with the device flow. */
export interface DeviceSignInOptions {
  /** The org origin. */
  baseUrl: URL;
  /** The native OIDC app's client id. */
  clientId: string;
  /** Open the verification page in a browser. */
  openBrowser: boolean;
  /** The browser command (the URL is appended); the platform's opener when unset. */
  openBrowserCommand?: string;
  /** Also print a QR code of the verification URL. */
  qrCode: boolean;
  /** The AWS app is known, so the appLinks scope is not needed. */
  appKnown: boolean;
}

/** A signed-in device-flow session. */
export interface DeviceSession {
  options: DeviceSignInOptions;
  keyring: Keyring;
  fetch: Fetch;
  /** The keyring item holding the tokens. */
  key: string;
  tokens: OidcTokens;
  /** How the tokens were obtained in this process. */
  source: "keyring" | "refresh" | "device";
}

/** What a device-flow login of a profile yields (the shape of `samlLogin`'s result). */
export interface DeviceSamlLogin {
  samlResponse: string;
  username: string;
}

/** Refresh access tokens this long before they expire. */
const EXPIRY_MARGIN_MS = 60_000;
const BASE_SCOPES = ["openid", "okta.apps.sso"];
const APP_LINKS_SCOPE = "okta.users.read.self";
const OFFLINE_SCOPE = "offline_access";

/**
 * The device-flow login of a profile when it applies (see login_flow.ts), else undefined so that
 * the caller logs in the classic way. An explicit `okta_auth_flow = device` that cannot work says why.
 */
export async function deviceLoginIfChosen(
  ctx: AppContext,
  profile: ResolvedProfile,
  keyring: Keyring,
  fetch: Fetch,
): Promise<DeviceSamlLogin | undefined> {
  const session = await deviceSessionIfChosen(ctx, profile, keyring, fetch);
  if (!session) return undefined;
  const appId = deviceSettings(profile).appId ?? (await chooseApp(ctx, await listApps(ctx, session))).id;
  const samlResponse = await samlForApp(ctx, session, appId);
  return { samlResponse, username: session.tokens.username ?? "" };
}

/**
 * The signed-in device-flow session of a profile when the device flow applies, else undefined
 * (see {@linkcode deviceLoginIfChosen}). `listsApps` asks for the appLinks scope even when the
 * profile names its AWS app.
 */
export async function deviceSessionIfChosen(
  ctx: AppContext,
  profile: ResolvedProfile,
  keyring: Keyring,
  fetch: Fetch,
  listsApps = false,
): Promise<DeviceSession | undefined> {
  const settings = deviceSettings(profile);
  if (!mayUseDeviceFlow(settings)) return undefined;
  if (!settings.clientId) {
    throw new AppError(`profile "${profile.name}" uses the device flow but has no okta_oidc_client_id`, {
      hint: "set okta_oidc_client_id to the client id of the native OIDC app, or okta_auth_flow = classic",
      exitCode: 2,
    });
  }
  const baseUrl = oktaBaseUrl(await orgDomain(profile, settings, keyring));
  const pipeline = await discoverPipeline(fetch, baseUrl, ctx.debug);
  ctx.debug(
    `okta: ${baseUrl.host} runs ${pipeline ?? "an unknown engine"}; okta_auth_flow = ${settings.flow}`,
  );
  if (pipeline === "v1") {
    if (settings.flow === "auto") return undefined;
    throw new AppError(`"${baseUrl.host}" is a Classic Engine org: the device flow needs Identity Engine`, {
      hint: `set okta_auth_flow = classic (or auto) for profile "${profile.name}"`,
    });
  }
  return await signIn(ctx, keyring, fetch, {
    baseUrl,
    clientId: settings.clientId,
    openBrowser: settings.openBrowser,
    ...(settings.openBrowserCommand ? { openBrowserCommand: settings.openBrowserCommand } : {}),
    qrCode: settings.qrCode,
    appKnown: settings.appId !== undefined && !listsApps,
  });
}

/** The Okta domain of a device-flow profile: okta_org_domain, else the stored Okta credentials'. */
async function orgDomain(
  profile: ResolvedProfile,
  settings: DeviceSettings,
  keyring: Keyring,
): Promise<string> {
  if (settings.orgDomain) return settings.orgDomain;
  try {
    return (await getOktaCredentials(keyring, profile.credentialsKey)).Domain;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw new AppError(`no Okta domain for profile "${profile.name}"`, {
      hint: 'set okta_org_domain (e.g. "acme.okta.com") in the profile or in [okta]',
      exitCode: 2,
      cause: error,
    });
  }
}

/** The username stored with the device-flow tokens of a profile, if any. */
export async function deviceUsername(
  profile: ResolvedProfile,
  keyring: Keyring,
): Promise<string | undefined> {
  const settings = deviceSettings(profile);
  if (!mayUseDeviceFlow(settings) || !settings.clientId) return undefined;
  let domain: string;
  try {
    domain = await orgDomain(profile, settings, keyring);
  } catch {
    return undefined;
  }
  const key = oidcTokensKey(oktaBaseUrl(domain).host, settings.clientId);
  return (await getOidcTokens(keyring, key))?.username;
}

/**
 * How {@linkcode signIn} may get tokens: "cached" takes a fresh access token from the keyring, else
 * the refresh token, else the browser; "refresh" skips the stored access token (Okta refused it);
 * "device" goes straight to the browser.
 */
export type SignInMode = "cached" | "refresh" | "device";

/** Signs in (see {@linkcode SignInMode}) and keeps the tokens in the keyring. */
export async function signIn(
  ctx: AppContext,
  keyring: Keyring,
  fetch: Fetch,
  options: DeviceSignInOptions,
  mode: SignInMode = "cached",
): Promise<DeviceSession> {
  const key = oidcTokensKey(options.baseUrl.host, options.clientId);
  const session = (tokens: OidcTokens, source: DeviceSession["source"]): DeviceSession => ({
    options,
    keyring,
    fetch,
    key,
    tokens,
    source,
  });
  if (mode !== "device") {
    const stored = await getOidcTokens(keyring, key);
    if (
      mode === "cached" && stored && Date.parse(stored.expiresAt) - ctx.now().getTime() > EXPIRY_MARGIN_MS &&
      stored.idToken
    ) {
      ctx.debug("okta: using the Okta tokens from the keyring");
      return session(stored, "keyring");
    }
    if (stored?.refreshToken) {
      try {
        const refreshed = await refreshTokens({
          fetch,
          baseUrl: options.baseUrl,
          clientId: options.clientId,
          refreshToken: stored.refreshToken,
        });
        ctx.debug("okta: refreshed the Okta tokens");
        const tokens = await store(ctx, keyring, key, refreshed, stored);
        return session(tokens, "refresh");
      } catch (error) {
        if (!(error instanceof OAuthError) || (error.error !== "invalid_grant" && error.status !== 401)) {
          throw error;
        }
        ctx.debug(`okta: the refresh token was refused (${error.error}); signing in again`);
        await removeOidcTokens(keyring, key);
      }
    }
  }
  if (ctx.interactive === false) throw new InteractionNeededError("a device sign-in in the browser");
  const tokens = await deviceAuthorization(ctx, fetch, options);
  return session(await store(ctx, keyring, key, tokens, undefined), "device");
}

/** Saves new tokens; a refresh answer without a refresh token keeps the old one (no rotation). */
async function store(
  ctx: AppContext,
  keyring: Keyring,
  key: string,
  fresh: TokenSet,
  previous: OidcTokens | undefined,
): Promise<OidcTokens> {
  const tokens: OidcTokens = {
    accessToken: fresh.accessToken,
    tokenType: fresh.tokenType,
    expiresAt: formatTimestamp(ctx.now().getTime() + fresh.expiresIn * 1000),
  };
  const scope = fresh.scope ?? previous?.scope;
  if (scope) tokens.scope = scope;
  const idToken = fresh.idToken ?? previous?.idToken;
  if (idToken) tokens.idToken = idToken;
  const refreshToken = fresh.refreshToken ?? previous?.refreshToken;
  if (refreshToken) tokens.refreshToken = refreshToken;
  const deviceSecret = fresh.deviceSecret ?? previous?.deviceSecret;
  if (deviceSecret) tokens.deviceSecret = deviceSecret;
  const username = usernameOf(idToken) ?? previous?.username;
  if (username) tokens.username = username;
  await setOidcTokens(keyring, key, tokens);
  return tokens;
}

function usernameOf(idToken: string | undefined): string | undefined {
  if (!idToken) return undefined;
  const claims = unverifiedClaims(idToken);
  for (const claim of ["preferred_username", "email", "sub"]) {
    const value = claims?.[claim];
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

/** Starts device authorization, shows the code, opens the browser if asked, and polls. */
async function deviceAuthorization(
  ctx: AppContext,
  fetch: Fetch,
  options: DeviceSignInOptions,
): Promise<TokenSet> {
  const authorization = await authorize(ctx, fetch, options);
  const url = authorization.verificationUriComplete ?? authorization.verificationUri;
  ctx.prompter.say(`To sign in to Okta, open this page and confirm the code ${authorization.userCode}:`);
  ctx.prompter.say(`  ${url}`);
  if (options.qrCode) {
    const { qrCodeText } = await import("../../ui/qr_code.ts");
    ctx.prompter.say((await qrCodeText(url)).replace(/\n$/, ""));
  }
  if (options.openBrowser) {
    // Not waited for, so polling starts at once; a browser that fails is a note (the URL is shown).
    const { openBrowser } = await import("../../ui/browser.ts");
    const note = (error: unknown) =>
      ctx.prompter.say(`Note: ${error instanceof Error ? error.message : error}`);
    const command = options.openBrowserCommand === undefined
      ? undefined
      : { line: options.openBrowserCommand, placeholder: false };
    await openBrowser(url, command, { onError: note }).catch(note);
  }
  const cap = Number(ctx.env.get("AWS_OKTA_POLL_INTERVAL_MS") ?? "");
  const tokens = await pollDeviceToken({
    fetch,
    baseUrl: options.baseUrl,
    clientId: options.clientId,
    authorization,
    ...(cap > 0 ? { maxWaitMs: cap } : {}),
    debug: ctx.debug,
  });
  if (!tokens.idToken) {
    throw new AppError("Okta's sign-in gave no id token", {
      hint: 'the OIDC app must grant the "openid" scope',
    });
  }
  ctx.prompter.say("Signed in to Okta.");
  return tokens;
}

/**
 * `POST /oauth2/v1/device/authorize`, dropping optional scopes the app refuses: first
 * `offline_access` (no refresh token then), then the appLinks scope when the app is known.
 */
async function authorize(
  ctx: AppContext,
  fetch: Fetch,
  options: DeviceSignInOptions,
): Promise<DeviceAuthorization> {
  const candidates = [[...BASE_SCOPES, APP_LINKS_SCOPE, OFFLINE_SCOPE], [...BASE_SCOPES, APP_LINKS_SCOPE]];
  if (options.appKnown) candidates.push([...BASE_SCOPES]);
  for (let i = 0;; i++) {
    const scopes = candidates[i]!;
    try {
      return await startDeviceAuthorization({
        fetch,
        baseUrl: options.baseUrl,
        clientId: options.clientId,
        scopes,
      });
    } catch (error) {
      if (!(error instanceof OAuthError) || error.error !== "invalid_scope" || i + 1 >= candidates.length) {
        throw error;
      }
      ctx.debug(`okta: scopes "${scopes.join(" ")}" refused; trying fewer`);
    }
  }
}

/** The AWS apps assigned to the user (signing in again once if Okta refuses the stored token). */
export async function listApps(ctx: AppContext, session: DeviceSession): Promise<AwsAppLink[]> {
  return await withLiveSession(ctx, session, () =>
    listAwsAppLinks({
      fetch: session.fetch,
      baseUrl: session.options.baseUrl,
      accessToken: session.tokens.accessToken,
      tokenType: session.tokens.tokenType,
    }));
}

/** The one app, or the user's choice by label. */
export async function chooseApp(ctx: AppContext, apps: readonly AwsAppLink[]): Promise<AwsAppLink> {
  if (apps.length === 0) {
    throw new AppError("no AWS app is assigned to you in Okta", {
      hint: "ask your Okta admin to assign the AWS app, or set okta_aws_fed_app_id",
    });
  }
  if (apps.length === 1) return apps[0]!;
  const sorted = [...apps].sort((a, b) => a.label.localeCompare(b.label));
  const index = await ctx.prompter.choose(
    "Select the AWS app:",
    sorted.map((app) => `${app.label} (${app.id})`),
  );
  const chosen = sorted[index];
  if (!chosen) throw new AppError("no AWS app chosen");
  return chosen;
}

/**
 * The SAMLResponse for the app: token exchange, then `/login/token/sso` (see
 * {@linkcode withLiveSession} for a stale sign-in).
 */
export async function samlForApp(ctx: AppContext, session: DeviceSession, appId: string): Promise<string> {
  const token = await withLiveSession(ctx, session, () =>
    exchangeWebSsoToken({
      fetch: session.fetch,
      baseUrl: session.options.baseUrl,
      clientId: session.options.clientId,
      accessToken: session.tokens.accessToken,
      idToken: session.tokens.idToken ?? "",
      appId,
    }));
  return await redeemWebSsoToken({
    fetch: session.fetch,
    baseUrl: session.options.baseUrl,
    token,
    appId,
    debug: ctx.debug,
  });
}

/**
 * Runs `call` with the session's tokens. When Okta says the sign-in is stale (token invalid, session
 * terminated), signs in once more (refresh token first for stored tokens, else the browser) and
 * runs it again, once.
 */
async function withLiveSession<T>(
  ctx: AppContext,
  session: DeviceSession,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isStaleSubject(error)) throw error;
    ctx.debug("okta: Okta no longer accepts the stored sign-in; signing in again");
    // Tokens that came from the keyring may still refresh; fresh ones that failed need the browser.
    const mode = session.source === "keyring" && session.tokens.refreshToken ? "refresh" : "device";
    if (mode === "device") await removeOidcTokens(session.keyring, session.key);
    const again = await signIn(ctx, session.keyring, session.fetch, session.options, mode);
    session.tokens = again.tokens;
    session.source = again.source;
    return await call();
  }
}
