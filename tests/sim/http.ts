/**
 * The small HTTP toolkit the endpoint groups share: the per-request context, route matching by
 * pattern (`/api/v1/authn/factors/:id/verify`), cookies and response builders.
 *
 * @module
 */

import type { SimState } from "./state.ts";

/** What a handler gets for one request. */
export interface SimContext {
  /** The request (its body is read through {@linkcode SimContext.bodyText}). */
  req: Request;
  /** Parsed request URL; its host is the request's Host header. */
  url: URL;
  /** `http://host:port` as the client addressed us; absolute links are built from it. */
  origin: string;
  /** Route parameters (`:id` → `params.id`). */
  params: Record<string, string>;
  /** The simulator state. */
  state: SimState;
  /** Request cookies. */
  cookies: Map<string, string>;
  /** The raw body (read once, cached). */
  bodyBytes(): Promise<Uint8Array>;
  /** The body as UTF-8 text (cached). */
  bodyText(): Promise<string>;
}

/** A request handler. */
export type RouteHandler = (ctx: SimContext) => Response | Promise<Response>;

/** One route of an endpoint group. */
export interface Route {
  /** HTTP method. */
  method: string;
  /** Path pattern; `:name` segments match one path segment. */
  pattern: string;
  /** Handler. */
  handler: RouteHandler;
}

/** Result of {@linkcode matchRoute}. */
export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "method"; pattern: string }
  | { kind: "none" };

/** Finds the route for a method and path; tells a wrong method apart from an unknown path. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segments = path.split("/");
  let wrongMethod: string | undefined;
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    if (route.method === method) return { kind: "found", route, params };
    wrongMethod ??= route.pattern;
  }
  return wrongMethod === undefined ? { kind: "none" } : { kind: "method", pattern: wrongMethod };
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split("/");
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** Parses a Cookie header (last value wins for repeated names). */
export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * A Set-Cookie value. No `Secure` flag: the simulator speaks plain HTTP on loopback, and clients
 * with strict cookie jars would otherwise drop the cookie.
 */
export function cookie(name: string, value: string, attributes: { maxAge?: number } = {}): string {
  const parts = [`${name}=${value}`, "Path=/"];
  if (attributes.maxAge !== undefined) parts.push(`Max-Age=${attributes.maxAge}`);
  parts.push("HttpOnly");
  return parts.join("; ");
}

/** A JSON response (Okta API style). */
export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** An HTML response. */
export function html(body: string, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "text/html;charset=utf-8");
  h.set("cache-control", "no-cache, no-store");
  return new Response(body, { status, headers: h });
}

/** A 302 redirect. */
export function redirect(location: string, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("location", location);
  return new Response(null, { status: 302, headers: h });
}

/** Waits `ms` milliseconds, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
