/**
 * The Okta + STS simulator: one `Deno.serve` on 127.0.0.1 serving the Okta endpoint groups, STS
 * (`Action=` requests to "/") and the `/__sim/` control API, with request counting, fault
 * injection and delays in front of every handler.
 *
 * New endpoint groups (Identity Engine, Duo, WebAuthn) go in their own files and are appended to
 * {@linkcode OKTA_ROUTES}.
 *
 * @example
 * ```ts
 * const sim = await startSimulator();
 * // aws-okta add --domain ${sim.url}; AWS_ENDPOINT_URL_STS=${sim.stsUrl}
 * await sim.close();
 * ```
 *
 * @module
 */

import { controlRoutes, decidePush, type PushVerdict } from "./control.ts";
import { notFound, oktaError } from "./errors.ts";
import { faultResponse, takeFault } from "./faults.ts";
import { errorPage } from "./html.ts";
import { html, matchRoute, parseCookies, type Route, type SimContext, sleep } from "./http.ts";
import { appRoutes } from "./okta_apps.ts";
import { authnRoutes } from "./okta_authn.ts";
import { factorRoutes } from "./okta_factors.ts";
import { sessionRoutes } from "./okta_sessions.ts";
import { federationRoutes } from "./federation.ts";
import { idxRoutes } from "./okta_idx.ts";
import { duoRoutes } from "./duo.ts";
import { duoUniversalRoutes } from "./duo_universal.ts";
import { webauthnRoutes } from "./okta_webauthn.ts";
import { type IssuedCredentials, type SimOptions, SimState } from "./state.ts";
import { handleSts, stsKey, stsParams } from "./sts.ts";

export { type SimOptions, SimState } from "./state.ts";

/** Every Okta route, by endpoint group. */
export const OKTA_ROUTES: Route[] = [...authnRoutes, ...factorRoutes, ...sessionRoutes, ...appRoutes];
// AWS console federation (getSigninToken, login), for `aws-okta login`.
OKTA_ROUTES.push(...federationRoutes);
// Identity Engine: org discovery, device authorization, tokens, appLinks, /login/token/sso.
OKTA_ROUTES.push(...idxRoutes);
// Duo (Okta's callback, Duo's frame API) and security keys; both also register factor verifiers.
OKTA_ROUTES.push(...duoRoutes, ...webauthnRoutes);
// Duo's Universal Prompt behind Okta's claims_provider factor (Okta's IdP hand-off, Duo's v4 prompt).
OKTA_ROUTES.push(...duoUniversalRoutes);

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:<port>`: the Okta base URL. */
  url: string;
  /** The STS endpoint URL (for AWS_ENDPOINT_URL_STS); the same listener. */
  stsUrl: string;
  /** Mutable configuration and records. */
  state: SimState;
  /** A request count, e.g. "POST /api/v1/authn", "sts:AssumeRole", "push:sent". */
  count(key: string): number;
  /** All counts. */
  counts(): Record<string, number>;
  /** Forgets counts, sessions, tokens and transactions (see {@linkcode SimState.reset}). */
  reset(): void;
  /** Decides waiting pushes (what `POST /__sim/push/<decision>` does); returns how many. */
  decidePush(decision: PushVerdict, login?: string): number;
  /** Moves the simulator's clock forward (expiry of sessions, tokens, assertions, credentials). */
  advanceClock(ms: number): void;
  /** Revokes or expires issued STS credentials (all, or those `match` picks); returns how many. */
  endCredentials(how: "revoke" | "expire", match?: (c: IssuedCredentials) => boolean): number;
  /** Stops the server. */
  close(): Promise<void>;
}

function context(req: Request, url: URL, state: SimState): SimContext {
  let bytes: Promise<Uint8Array> | undefined;
  const bodyBytes = () => bytes ??= req.arrayBuffer().then((b) => new Uint8Array(b));
  return {
    req,
    url,
    origin: url.origin,
    params: {},
    state,
    cookies: parseCookies(req.headers.get("cookie")),
    bodyBytes,
    bodyText: async () => new TextDecoder().decode(await bodyBytes()),
  };
}

function isApi(path: string): boolean {
  return path.startsWith("/api/");
}

/** Finds the handler and count key of a non-STS request. */
function route(ctx: SimContext): { key: string; run: () => Response | Promise<Response> } {
  const { req, url } = ctx;
  const match = matchRoute(OKTA_ROUTES, req.method, url.pathname);
  if (match.kind === "found") {
    ctx.params = match.params;
    return { key: `${req.method} ${match.route.pattern}`, run: () => match.route.handler(ctx) };
  }
  if (match.kind === "method") {
    return {
      key: `${req.method} ${match.pattern}`,
      run: () =>
        isApi(url.pathname) ? oktaError("E0000022") : new Response("Method Not Allowed", { status: 405 }),
    };
  }
  return {
    key: `${req.method} ${url.pathname}`,
    run: () =>
      isApi(url.pathname) ? notFound(url.pathname, "GenericResource") : html(
        errorPage({
          orgName: ctx.state.settings.orgName,
          title: "404 - Page Not Found",
          message: "The page you are looking for can't be found",
        }),
        404,
      ),
  };
}

async function handle(req: Request, state: SimState, closing: AbortSignal): Promise<Response> {
  const url = new URL(req.url);
  const ctx = context(req, url, state);
  if (url.pathname.startsWith("/__sim/")) {
    const match = matchRoute(controlRoutes, req.method, url.pathname);
    if (match.kind !== "found") return new Response("unknown control endpoint\n", { status: 404 });
    ctx.params = match.params;
    return await match.route.handler(ctx);
  }

  const sts = await stsParams(ctx);
  const { key, run } = sts ? { key: stsKey(sts), run: () => handleSts(ctx, sts) } : route(ctx);
  state.bump(key);
  await sleep(state.delayMs, closing);
  const fault = takeFault(state.faults, key);
  if (fault?.delayMs) await sleep(fault.delayMs, closing);

  let response: Response;
  if (fault?.status !== undefined) {
    response = faultResponse(fault);
  } else {
    try {
      response = await run();
    } catch (error) {
      console.error(`sim: ${key} failed:`, error);
      response = new Response("simulator error\n", { status: 500 });
    }
    if (isApi(url.pathname)) {
      const limit = state.settings.rateLimit;
      response.headers.set("X-Rate-Limit-Limit", String(limit));
      response.headers.set("X-Rate-Limit-Remaining", String(Math.max(0, limit - state.count(key))));
      response.headers.set("X-Rate-Limit-Reset", String(Math.floor(Date.now() / 1000) + 60));
    }
  }
  state.requests.push({
    key,
    method: req.method,
    path: url.pathname,
    queryKeys: [...new Set(url.searchParams.keys())],
    cookieNames: [...ctx.cookies.keys()],
    ...(req.headers.has("user-agent") ? { userAgent: req.headers.get("user-agent")! } : {}),
    ...(req.headers.has("x-okta-aws-cli-operation")
      ? { oktaAwsCliOperation: req.headers.get("x-okta-aws-cli-operation")! }
      : {}),
    status: response.status,
  });
  return response;
}

/**
 * Starts a simulator on 127.0.0.1 (port 0 = any free port unless `options.port`). With `tls` (PEM
 * certificate and key for 127.0.0.1) it serves HTTPS, for tests of CA bundles and TLS failures.
 */
export function startSimulator(
  options: SimOptions & { tls?: { cert: string; key: string } } = {},
): Promise<Simulator> {
  const state = new SimState(options);
  const closing = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {}, ...options.tls },
    (req) => handle(req, state, closing.signal),
  );
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${server.addr.port}`;
  let closed: Promise<void> | undefined;
  return Promise.resolve({
    url,
    stsUrl: url,
    state,
    count: (key) => state.count(key),
    counts: () => state.counts(),
    reset: () => state.reset(),
    decidePush: (decision, login) => decidePush(state, decision, login),
    advanceClock: (ms) => {
      state.clockOffsetMs += ms;
    },
    endCredentials: (how, match) => state.endCredentials(how, match),
    close: () => {
      closing.abort();
      return closed ??= server.shutdown();
    },
  });
}
