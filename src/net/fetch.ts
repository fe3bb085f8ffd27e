/**
 * The one fetch stack every HTTP call goes through (Okta and STS alike), so that timeouts, proxies
 * (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, honoured by Deno's fetch), an extra CA bundle and the debug
 * log behave the same everywhere.
 *
 * The debug log is redacted by structure: it records the method, the URL with every query value
 * replaced by "***", the status and the time taken. Headers and bodies are never logged.
 *
 * Requests other than GET and HEAD carry secrets (a password, an OAuth client assertion or refresh
 * token, a SAML assertion, signed STS calls with a session token, a federation session): their
 * redirects are followed only within the same origin (scheme, host and port), so neither their
 * body nor their headers are sent to another host or over plain http.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** Request options accepted by {@linkcode Fetch}: the standard ones plus a per-call timeout. */
export interface FetchInit extends RequestInit {
  /** Overrides the stack's default timeout for this call, in milliseconds. */
  timeoutMs?: number;
}

/** The fetch signature the leaf modules (okta/, aws/) take as a dependency. */
export type Fetch = (input: string | URL, init?: FetchInit) => Promise<Response>;

/** Options for {@linkcode createFetch}. */
export interface FetchOptions {
  /** Default timeout per request (connect + headers + body), in milliseconds. Default 30 s. */
  timeoutMs?: number;
  /** PEM text of extra CA certificates (from AWS_CA_BUNDLE), trusted besides the system roots. */
  caCerts?: string[];
  /** Sink for debug lines; receives redacted lines only. */
  debug?: (line: string) => void;
  /** User-Agent header sent when the caller sets none. */
  userAgent?: string;
  /** Headers added to requests for some URLs (unless the caller set them), e.g. only to Okta. */
  headersFor?: (url: URL) => Record<string, string> | undefined;
  /** The fetch to wrap (tests); defaults to the global one. */
  baseFetch?: typeof fetch;
  /** The proxy (`host:port`) Deno's fetch uses for a URL, if any; only for wording failures. */
  proxyFor?: (url: URL) => string | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Redirects followed for one request carrying secrets, as many as fetch itself follows. */
const MAX_REDIRECTS = 20;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Creates the project's fetch: adds a timeout, a User-Agent, the extra CA bundle, a redacted debug
 * line per request, and turns network failures into one-line {@linkcode AppError}s that name the
 * host and the likely fix.
 */
export function createFetch(options: FetchOptions = {}): Fetch {
  const baseFetch = options.baseFetch ?? fetch;
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let client: Deno.HttpClient | undefined;
  if (options.caCerts && options.caCerts.length > 0) {
    client = Deno.createHttpClient({ caCerts: options.caCerts });
  }
  return async (input, init = {}) => {
    const url = new URL(input);
    const { timeoutMs = defaultTimeout, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = rest.signal ? AbortSignal.any([rest.signal, timeout]) : timeout;
    const headers = new Headers(rest.headers);
    for (const [name, value] of Object.entries(options.headersFor?.(url) ?? {})) {
      if (!headers.has(name)) headers.set(name, value);
    }
    if (options.userAgent && !headers.has("user-agent")) headers.set("user-agent", options.userAgent);
    const started = performance.now();
    const method = (rest.method ?? "GET").toUpperCase();
    try {
      const requestInit: RequestInit & { client?: Deno.HttpClient } = { ...rest, headers, signal };
      if (client) requestInit.client = client;
      const follow = (rest.redirect ?? "follow") === "follow";
      const sameOriginOnly = follow && method !== "GET" && method !== "HEAD";
      if (sameOriginOnly) requestInit.redirect = "manual";
      let response = await baseFetch(url, requestInit);
      let at = url;
      for (let hops = 0; sameOriginOnly && REDIRECT_STATUSES.has(response.status); hops++) {
        const location = response.headers.get("location");
        if (location === null) break;
        await response.body?.cancel();
        const next = new URL(location, at);
        if (next.origin !== url.origin) throw crossOriginRedirect(url, next);
        if (hops >= MAX_REDIRECTS) throw new AppError(`${url.host} redirected too many times`);
        // As fetch does: 303, and 301/302 after a POST, continue as a GET without the body.
        if (response.status === 303 || (response.status <= 302 && method === "POST")) {
          const { body: _body, ...withoutBody } = requestInit;
          response = await baseFetch(next, { ...withoutBody, method: "GET" });
        } else {
          response = await baseFetch(next, requestInit);
        }
        at = next;
      }
      options.debug?.(
        `http: ${method} ${redactUrl(url)} -> ${response.status} (${
          Math.round(performance.now() - started)
        } ms)`,
      );
      return guardBody(response, url, () => timeout.aborted ? timeoutError(url, timeoutMs) : undefined);
    } catch (error) {
      options.debug?.(
        `http: ${method} ${redactUrl(url)} -> failed (${Math.round(performance.now() - started)} ms)`,
      );
      if (error instanceof AppError) throw error;
      if (timeout.aborted) throw timeoutError(url, timeoutMs, error);
      if (rest.signal?.aborted) throw error;
      // A permission the launcher did not grant is main.ts's to report, not a network failure.
      if (error instanceof Deno.errors.NotCapable) throw error;
      throw networkError(url, error, options.proxyFor?.(url));
    }
  };
}

/** A request carrying secrets was redirected elsewhere: not followed, the target named by origin only. */
function crossOriginRedirect(from: URL, to: URL): AppError {
  const where = to.protocol === "http:" && from.protocol === "https:" && to.host === from.host
    ? `plain http on ${to.host}`
    : to.origin;
  return new AppError(
    `${from.host} redirected a request carrying credentials to ${where}; not following it`,
    {
      hint:
        "check the endpoint's address (the Okta domain, AWS_ENDPOINT_URL_STS, AWS_OKTA_FEDERATION_ENDPOINT)",
    },
  );
}

/**
 * Refuses a plain-http endpoint that is not this machine: credentials would cross the network
 * unencrypted. `name` names the setting for the message.
 */
export function requireHttpsUnlessLoopback(name: string, value: string, url: URL): void {
  if (url.protocol !== "http:" || isLoopback(url.hostname)) return;
  throw new AppError(`invalid ${name} "${value}": plain http is allowed only to this machine`, {
    hint: "use https, or http://127.0.0.1, http://[::1] or http://localhost for a local endpoint",
  });
}

/** Whether a URL's hostname is this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || hostname === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(hostname);
}

function timeoutError(url: URL, timeoutMs: number, cause?: unknown): AppError {
  const limit = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
  return new AppError(`${url.host} did not answer within ${limit}`, {
    hint: "check your network or proxy settings (HTTPS_PROXY, NO_PROXY) and try again",
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Statuses whose responses cannot carry a body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The timeout covers the body too, but a body that stalls or breaks off would surface as a raw
 * DOMException or TypeError wherever the body is read. Re-wrap the body so that reading it fails
 * with the same one-line AppError as a failed request.
 */
function guardBody(response: Response, url: URL, timedOut: () => AppError | undefined): Response {
  if (!response.body || NULL_BODY_STATUSES.has(response.status) || response.status < 200) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(
          timedOut() ??
            new AppError(`${url.host} broke off its answer`, {
              hint: "check your network or proxy settings and try again",
              cause: error,
            }),
        );
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Returns the URL with every query value and any userinfo replaced by "***", for logs. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username || copy.password) {
    copy.username = "***";
    copy.password = "";
  }
  const keys = [...new Set(copy.searchParams.keys())];
  if (keys.length === 0) return copy.href;
  copy.search = keys.map((key) => `${encodeURIComponent(key)}=***`).join("&");
  return copy.href;
}

/**
 * Maps a fetch failure to a one-line error naming the host, the cause and the fix. With `proxy`
 * (the proxy's `host:port` for this URL), failures to reach or pass the proxy name the proxy.
 */
export function networkError(url: URL, error: unknown, proxy?: string): AppError {
  const detail = describeCause(error);
  const text = detail.toLowerCase();
  const host = url.host;
  if (proxy !== undefined) {
    const proxyError = viaProxyError(host, proxy, text, error);
    if (proxyError) return proxyError;
  }
  if (
    text.includes("dns error") || text.includes("name or service not known") ||
    text.includes("lookup address")
  ) {
    return new AppError(`cannot resolve "${url.hostname}"`, {
      hint: "check the domain name and your DNS or proxy settings",
      cause: error,
    });
  }
  if (text.includes("certificate") || text.includes("tls") || text.includes("unknownissuer")) {
    return new AppError(`TLS connection to ${host} failed: ${shorten(detail)}`, {
      hint: "if a proxy or private CA signs this host, set AWS_CA_BUNDLE (or DENO_CERT) to its PEM file",
      cause: error,
    });
  }
  if (text.includes("connection refused")) {
    return new AppError(`connection to ${host} refused`, {
      hint: "check the address, and HTTPS_PROXY/NO_PROXY if you use a proxy",
      cause: error,
    });
  }
  if (text.includes("proxy") || text.includes("tunnel")) {
    return new AppError(`proxy refused the connection to ${host}: ${shorten(detail)}`, {
      hint: "check HTTPS_PROXY/HTTP_PROXY and NO_PROXY",
      cause: error,
    });
  }
  return new AppError(`request to ${host} failed: ${shorten(detail)}`, {
    hint: "check your network or proxy settings and try again",
    cause: error,
  });
}

/** Failures of the proxy itself: it is not there, cannot be resolved, or refuses the tunnel. */
function viaProxyError(host: string, proxy: string, text: string, error: unknown): AppError | undefined {
  const hint = "check HTTPS_PROXY/HTTP_PROXY, or add the host to NO_PROXY to go direct";
  if (text.includes("tunnel")) {
    return new AppError(`the proxy ${proxy} refused the tunnel to ${host}`, {
      hint: "check that the proxy allows this host, or add it to NO_PROXY to go direct",
      cause: error,
    });
  }
  if (text.includes("connection refused")) {
    return new AppError(`connection to the proxy ${proxy} refused (on the way to ${host})`, {
      hint,
      cause: error,
    });
  }
  if (
    text.includes("dns error") || text.includes("name or service not known") ||
    text.includes("lookup address")
  ) {
    return new AppError(`cannot resolve the proxy ${proxy} (on the way to ${host})`, { hint, cause: error });
  }
  return undefined;
}

function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(current.message);
    current = current.cause;
  }
  if (parts.length === 0) parts.push(String(error));
  return parts.join(": ");
}

/** Keeps the innermost, most specific part of a Rust-style error chain, without URLs (which may carry tokens). */
function shorten(detail: string): string {
  const withoutUrls = detail.replace(/error sending request for url \([^)]*\):?/g, "")
    .replace(/\(url[^)]*\)|https?:\/\/\S+/g, "").replace(/\s+/g, " ");
  const parts = withoutUrls.split(": ").map((part) => part.trim()).filter((part) =>
    part && part !== "fetch failed"
  );
  return parts.slice(-2).join(": ") || "network error";
}
