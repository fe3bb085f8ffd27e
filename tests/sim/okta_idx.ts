/**
 * Okta Identity Engine endpoints (§3 of the wire reference): org discovery, device authorization,
 * the token endpoint (device_code, refresh_token with rotation, token exchange for a web SSO
 * token, client_credentials with private_key_jwt on custom authorization servers), appLinks (by
 * access token, or by the Classic Okta session cookie as the dashboard calls it) with Link-header
 * paging, `/login/token/sso` (POST, and GET as older orgs) and the `/activate` page the "browser"
 * visits.
 *
 * @module
 */

import { oktaError } from "./errors.ts";
import { html, json, type Route, type SimContext } from "./http.ts";
import { randomString } from "./ids.ts";
import { approveDevice, idx, type IdxState, type SimToken } from "./idx_state.ts";
import { errorPage, samlFormPage } from "./html.ts";
import { signSimJwt, verifyJwt } from "./jwt.ts";
import { issueSamlResponse } from "./saml.ts";
import type { SimUser } from "./state.ts";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const WEB_SSO_TOKEN = "urn:okta:oauth:token-type:web_sso_token";
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const STALE_SUBJECT = "The 'subject_token' either expired or the session associated with it was terminated.";

/** An OAuth error answer. */
export function oauthError(error: string, description: string, status = 400): Response {
  return json({ error, error_description: description }, status);
}

/** The form body, or a Response when the body is not form-encoded (Okta answers invalid_request). */
async function form(ctx: SimContext): Promise<URLSearchParams | Response> {
  const type = ctx.req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return oauthError("invalid_request", "The request body must be application/x-www-form-urlencoded.");
  }
  return new URLSearchParams(await ctx.bodyText());
}

function wellKnown(ctx: SimContext): Response {
  return json({
    id: "00o1abcdEFGH2345",
    pipeline: idx(ctx.state).pipeline,
    _links: { organization: { href: ctx.origin }, alternate: { href: ctx.origin } },
    settings: { analyticsCollectionEnabled: false, bugReportingEnabled: true, omEnabled: false },
  });
}

function userCode(): string {
  const letters = randomString("BCDFGHJKLMNPQRSTVWXZ", 8);
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

async function deviceAuthorize(ctx: SimContext): Promise<Response> {
  const params = await form(ctx);
  if (params instanceof Response) return params;
  const state = idx(ctx.state);
  const client = state.client(params.get("client_id"));
  if (!client) return oauthError("invalid_client", "Invalid value for 'client_id' parameter.", 401);
  const scopes = (params.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (client.allowedScopes && scopes.some((scope) => !client.allowedScopes!.includes(scope))) {
    return oauthError(
      "invalid_scope",
      "One or more scopes are not configured for the authorization server resource.",
    );
  }
  const code = {
    deviceCode: crypto.randomUUID(),
    userCode: userCode(),
    clientId: client.clientId,
    scopes,
    expiresAt: ctx.state.now() + state.deviceCodeTtlSeconds * 1000,
    status: "pending" as const,
    polls: 0,
  };
  state.deviceCodes.set(code.deviceCode, code);
  return json({
    device_code: code.deviceCode,
    user_code: code.userCode,
    verification_uri: `${ctx.origin}/activate`,
    verification_uri_complete: `${ctx.origin}/activate?user_code=${code.userCode}`,
    expires_in: state.deviceCodeTtlSeconds,
    interval: state.interval,
  });
}

/** Issues access, id and (with offline_access) refresh tokens. */
async function issueTokens(
  ctx: SimContext,
  user: SimUser,
  clientId: string,
  scopes: string[],
): Promise<Response> {
  const state = idx(ctx.state);
  const now = ctx.state.now();
  const expiresAt = now + state.accessTokenTtlSeconds * 1000;
  const idToken = await signSimJwt((await state.signingKeys()).privateKey, {
    sub: user.id,
    iss: ctx.origin,
    aud: clientId,
    iat: Math.floor(now / 1000),
    exp: Math.floor(expiresAt / 1000),
    preferred_username: user.login,
    email: user.login,
  });
  const accessToken = `eyJ${randomString(ALNUM, 60)}`;
  state.accessTokens.set(accessToken, { userId: user.id, clientId, scopes, expiresAt, idToken });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    expires_in: state.accessTokenTtlSeconds,
    access_token: accessToken,
    scope: scopes.join(" "),
    id_token: idToken,
  };
  if (scopes.includes("offline_access") && state.client(clientId)?.refreshTokens !== false) {
    const refreshToken = randomString(ALNUM, 43);
    state.refreshTokens.set(refreshToken, { userId: user.id, clientId, scopes, expiresAt: Infinity });
    body.refresh_token = refreshToken;
  }
  return json(body);
}

async function token(ctx: SimContext): Promise<Response> {
  const params = await form(ctx);
  if (params instanceof Response) return params;
  const state = idx(ctx.state);
  const client = state.client(params.get("client_id"));
  if (!client) return oauthError("invalid_client", "Invalid value for 'client_id' parameter.", 401);
  const grant = params.get("grant_type");
  ctx.state.bump(`oauth:${grant?.replace(/^urn:ietf:params:oauth:grant-type:/, "")}`);
  switch (grant) {
    case DEVICE_GRANT:
      return await deviceCodeGrant(ctx, params, client.clientId);
    case "refresh_token":
      return await refreshGrant(ctx, params, client.clientId);
    case EXCHANGE_GRANT:
      return tokenExchange(ctx, params, client.clientId);
    default:
      return oauthError("unsupported_grant_type", "The authorization grant type is not supported.");
  }
}

async function deviceCodeGrant(
  ctx: SimContext,
  params: URLSearchParams,
  clientId: string,
): Promise<Response> {
  const state = idx(ctx.state);
  const code = state.deviceCodes.get(params.get("device_code") ?? "");
  if (!code || code.clientId !== clientId || code.status === "used") {
    return oauthError("invalid_grant", "The device code is invalid or has expired.");
  }
  if (code.expiresAt <= ctx.state.now()) return oauthError("expired_token", "The device code has expired.");
  if (state.slowDownPolls > 0) {
    state.slowDownPolls -= 1;
    return oauthError("slow_down", "The client is polling too fast.");
  }
  if (code.status === "pending") {
    code.polls += 1;
    const approval = state.approval;
    if (approval.mode === "deny") code.status = "denied";
    else if (approval.mode === "auto" && code.polls > (approval.afterPolls ?? 1)) {
      approveDevice(ctx.state, code.userCode, approval.login);
    }
  }
  if (code.status === "denied") {
    return oauthError("access_denied", "The resource owner or authorization server denied the request.");
  }
  if (code.status !== "approved") {
    return oauthError(
      "authorization_pending",
      "The device authorization is pending. Please try again later.",
    );
  }
  const user = ctx.state.userById(code.userId ?? "");
  if (!user) return oauthError("invalid_grant", "The device code is invalid or has expired.");
  code.status = "used";
  ctx.state.bump("device:approved");
  return await issueTokens(ctx, user, clientId, code.scopes);
}

async function refreshGrant(ctx: SimContext, params: URLSearchParams, clientId: string): Promise<Response> {
  const state = idx(ctx.state);
  const presented = params.get("refresh_token") ?? "";
  const record = state.refreshTokens.get(presented);
  const user = record ? ctx.state.userById(record.userId) : undefined;
  if (!record || record.clientId !== clientId || record.revoked || !user) {
    return oauthError("invalid_grant", "The refresh token is invalid or expired.");
  }
  // Rotation: the presented refresh token is spent.
  state.refreshTokens.delete(presented);
  return await issueTokens(ctx, user, clientId, record.scopes);
}

function tokenExchange(ctx: SimContext, params: URLSearchParams, clientId: string): Response {
  const state = idx(ctx.state);
  if (params.get("requested_token_type") !== WEB_SSO_TOKEN) {
    return oauthError("invalid_request", "The 'requested_token_type' is not supported.");
  }
  if (
    params.get("actor_token_type") !== "urn:ietf:params:oauth:token-type:access_token" ||
    params.get("subject_token_type") !== "urn:ietf:params:oauth:token-type:id_token"
  ) {
    return oauthError("invalid_request", "The token types are not supported.");
  }
  const actor: SimToken | undefined = state.accessTokens.get(params.get("actor_token") ?? "");
  if (!actor || actor.clientId !== clientId) {
    return oauthError("invalid_grant", "The 'actor_token' is invalid.");
  }
  if (actor.revoked || actor.expiresAt <= ctx.state.now() || actor.idToken !== params.get("subject_token")) {
    return oauthError("invalid_grant", STALE_SUBJECT);
  }
  if (!actor.scopes.includes("okta.apps.sso")) {
    return oauthError("invalid_scope", "The 'actor_token' does not have the 'okta.apps.sso' scope.");
  }
  const appId = (params.get("audience") ?? "").replace(/^urn:okta:apps:/, "");
  const user = ctx.state.userById(actor.userId);
  const app = user?.apps.find((a) => a.id === appId);
  if (!user || !app) {
    return oauthError("invalid_target", "The 'audience' is not an app assigned to the user.");
  }
  const allowed = state.client(clientId)?.webSsoApps;
  const policy = state.policyErrors.get(appId);
  if ((allowed && !allowed.includes(appId)) || policy === "web-sso-not-allowed") {
    return oauthError(
      "invalid_grant",
      "The target audience app must be configured to allow the client to request a 'web_sso_token'.",
    );
  }
  if (policy === "assurance") {
    return oauthError(
      "invalid_grant",
      "The application's assurance requirements are not met by the 'subject_token'.",
    );
  }
  const webSso = randomString(ALNUM, 48);
  state.webSsoTokens.set(webSso, { userId: user.id, appId, expiresAt: ctx.state.now() + 300_000 });
  return json({
    token_type: "N_A",
    expires_in: 300,
    access_token: webSso,
    issued_token_type: WEB_SSO_TOKEN,
  });
}

async function clientCredentials(ctx: SimContext): Promise<Response> {
  const params = await form(ctx);
  if (params instanceof Response) return params;
  const state = idx(ctx.state);
  const asId = ctx.params.as ?? "";
  const serverScopes = state.authorizationServers.get(asId);
  if (!serverScopes) {
    return oktaError("E0000007", { summary: `Not found: Resource not found: ${asId} (AuthorizationServer)` });
  }
  if (params.get("grant_type") !== "client_credentials") {
    return oauthError("unsupported_grant_type", "The authorization grant type is not supported.");
  }
  if (params.get("client_assertion_type") !== JWT_BEARER) {
    return oauthError("invalid_client", "Client authentication failed: no client assertion.", 401);
  }
  const verdict = await checkAssertion(ctx, state, params.get("client_assertion") ?? "", asId);
  if ("refused" in verdict) return oauthError("invalid_client", verdict.refused, 401);
  const clientId = verdict.clientId;
  const scopes = (params.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (scopes.length === 0 || scopes.some((scope) => !serverScopes.includes(scope))) {
    return oauthError(
      "invalid_scope",
      "One or more scopes are not configured for the authorization server resource.",
    );
  }
  const now = ctx.state.now();
  const expiresAt = now + state.accessTokenTtlSeconds * 1000;
  const issuer = `${ctx.origin}/oauth2/${asId}`;
  const accessToken = await signSimJwt((await state.signingKeys()).privateKey, {
    ver: 1,
    jti: `AT.${randomString(ALNUM, 20)}`,
    iss: issuer,
    aud: "api://default",
    iat: Math.floor(now / 1000),
    exp: Math.floor(expiresAt / 1000),
    cid: clientId,
    sub: clientId,
    scp: scopes,
  });
  state.issuedJwts.set(accessToken, { clientId, expiresAt, issuer });
  ctx.state.bump("m2m:issued");
  return json({
    token_type: "Bearer",
    expires_in: state.accessTokenTtlSeconds,
    access_token: accessToken,
    scope: scopes.join(" "),
  });
}

/** Checks a private_key_jwt client assertion; returns the client id, or why it was refused. */
async function checkAssertion(
  ctx: SimContext,
  state: IdxState,
  assertion: string,
  asId: string,
): Promise<{ clientId: string } | { refused: string }> {
  const unverified = assertion.split(".")[1];
  let iss: unknown;
  try {
    iss = JSON.parse(atob((unverified ?? "").replace(/-/g, "+").replace(/_/g, "/"))).iss;
  } catch {
    return { refused: "The client_assertion is not a JWT." };
  }
  const client = state.client(typeof iss === "string" ? iss : null);
  if (!client?.publicJwk) {
    return { refused: "Client authentication failed: unknown client or no registered key." };
  }
  const verified = await verifyJwt(assertion, client.publicJwk);
  if (!verified) return { refused: "The client_assertion signature is invalid." };
  const { header, claims } = verified;
  if (client.publicJwk.kid && header.kid !== client.publicJwk.kid) {
    return { refused: "The client_assertion 'kid' is unknown." };
  }
  if (claims.sub !== client.clientId) return { refused: "The client_assertion 'sub' must be the client id." };
  if (claims.aud !== `${ctx.origin}/oauth2/${asId}/v1/token`) {
    return { refused: "The audience of the client_assertion is invalid." };
  }
  const nowS = ctx.state.now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= nowS) {
    return { refused: "The client_assertion has expired." };
  }
  if (typeof claims.jti !== "string" || state.usedJtis.has(claims.jti)) {
    return { refused: "The client_assertion 'jti' was already used." };
  }
  state.usedJtis.add(claims.jti);
  return { clientId: client.clientId };
}

/**
 * The user an appLinks call is for: with an Authorization header only the token counts (it needs
 * `okta.users.read.self`); without one, the Okta session cookie, as the dashboard sends it (§3.6).
 */
function appLinksUser(ctx: SimContext): SimUser | Response {
  const state = idx(ctx.state);
  const authorization = ctx.req.headers.get("authorization");
  if (authorization === null) {
    const session = ctx.state.liveSession(ctx.cookies.get("sid"));
    // Okta's answer to a user API call with no (or an ended) session.
    if (!session) return oktaError("E0000005");
    return ctx.state.userById(session.userId)!;
  }
  const record = state.accessTokens.get(authorization.replace(/^Bearer\s+/i, ""));
  if (!record || record.revoked || record.expiresAt <= ctx.state.now()) {
    return oktaError("E0000011", {
      headers: {
        "WWW-Authenticate":
          `Bearer authorization_uri="${ctx.origin}/oauth2/v1/authorize", realm="IdpPOST", error="invalid_token", error_description="The token is invalid."`,
      },
    });
  }
  if (!record.scopes.includes("okta.users.read.self")) {
    return oktaError("E0000006", {
      headers: {
        "WWW-Authenticate":
          `Bearer authorization_uri="${ctx.origin}/oauth2/v1/authorize", realm="IdpPOST", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`,
      },
    });
  }
  return ctx.state.userById(record.userId)!;
}

function appLinks(ctx: SimContext): Response {
  const state = idx(ctx.state);
  const user = appLinksUser(ctx);
  if (user instanceof Response) return user;
  // Other apps come first, so a client that reads only page one and filters misses AWS apps.
  const links = [
    ...["salesforce", "slack"].map((name, i) => ({
      id: `00ub0${name}${i}`,
      label: name,
      linkUrl: `${ctx.origin}/home/${name}/0oa${name}/${i}`,
      appName: name,
      appInstanceId: `0oa${name}`,
    })),
    ...user.apps.map((app, i) => ({
      id: `00ub0aws${i}`,
      label: app.label,
      linkUrl: `${ctx.origin}/home/amazon_aws/${app.id}/${app.n}`,
      appName: "amazon_aws",
      appInstanceId: app.id,
    })),
  ].map((link, sortOrder) => ({
    ...link,
    logoUrl: "https://ok12static.oktacdn.com/assets/img/logos/amazon-aws.png",
    appAssignmentId: `0ua${sortOrder}`,
    credentialsSetup: false,
    hidden: false,
    sortOrder,
  }));
  const after = Number(ctx.url.searchParams.get("after") ?? "0") || 0;
  const limit = Number(ctx.url.searchParams.get("limit") ?? "") || state.appLinksPageSize;
  const page = links.slice(after, after + limit);
  const headers = new Headers();
  const self = `<${ctx.origin}/api/v1/users/me/appLinks?limit=${limit}>; rel="self"`;
  headers.append("link", self);
  if (after + limit < links.length) {
    headers.append(
      "link",
      `<${ctx.origin}/api/v1/users/me/appLinks?after=${after + limit}&limit=${limit}>; rel="next"`,
    );
  }
  return json(page, 200, headers);
}

async function loginTokenSso(ctx: SimContext): Promise<Response> {
  const state = idx(ctx.state);
  let presented: string | null;
  if (ctx.req.method === "POST") {
    if (!state.ssoPost) return new Response("Method Not Allowed", { status: 405 });
    presented = new URLSearchParams(await ctx.bodyText()).get("token");
  } else {
    presented = ctx.url.searchParams.get("token");
  }
  const record = presented ? state.webSsoTokens.get(presented) : undefined;
  if (presented) state.webSsoTokens.delete(presented);
  const user = record && record.expiresAt > ctx.state.now() ? ctx.state.userById(record.userId) : undefined;
  const app = user?.apps.find((a) => a.id === record?.appId);
  if (!user || !app) {
    const body = errorPage({
      orgName: ctx.state.settings.orgName,
      title: "403 - Forbidden",
      message: "The token is invalid or has expired",
    });
    return html(body, 403);
  }
  const { base64, acsUrl } = issueSamlResponse(ctx.state, user, app, { mfa: true });
  ctx.state.bump("saml:issued");
  return html(
    samlFormPage({ orgName: ctx.state.settings.orgName, acsUrl, samlResponse: base64, relayState: "" }),
  );
}

/** The verification page: the "browser" visiting it approves the code as the approval's user. */
function activate(ctx: SimContext): Response {
  const code = ctx.url.searchParams.get("user_code") ?? undefined;
  const approved = code ? approveDevice(ctx.state, code, idx(ctx.state).approval.login) : 0;
  const message = approved ? "Device activated" : "Enter the code shown on your device";
  return html(
    `<!DOCTYPE html><html><head><title>${message}</title></head><body><h1>${message}</h1></body></html>`,
  );
}

/** The Identity Engine routes. */
export const idxRoutes: Route[] = [
  { method: "GET", pattern: "/.well-known/okta-organization", handler: wellKnown },
  { method: "POST", pattern: "/oauth2/v1/device/authorize", handler: deviceAuthorize },
  { method: "POST", pattern: "/oauth2/v1/token", handler: token },
  { method: "POST", pattern: "/oauth2/:as/v1/token", handler: clientCredentials },
  { method: "GET", pattern: "/api/v1/users/me/appLinks", handler: appLinks },
  { method: "POST", pattern: "/login/token/sso", handler: loginTokenSso },
  { method: "GET", pattern: "/login/token/sso", handler: loginTokenSso },
  { method: "GET", pattern: "/activate", handler: activate },
];
