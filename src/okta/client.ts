/**
 * The HTTP client for one Okta org: JSON calls to the Authn API and HTML page loads with manual
 * redirect following, both through the project's {@linkcode Fetch} and one {@linkcode CookieJar}.
 *
 * Error messages name the method, the status and the URL path, never the query string (which can
 * carry a one-time token) and never a request or response body.
 *
 * @module
 */

import { AppError, type AppErrorOptions, isRecord, serverText } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { CookieJar } from "./cookie_jar.ts";

/** An Okta API error answer (`{"errorCode","errorSummary",...}`), kept machine-readable for callers. */
export class OktaApiError extends AppError {
  /** Okta's error code, e.g. "E0000068". */
  readonly errorCode: string;
  /** Okta's one-line summary, e.g. "Invalid Passcode/Answer". */
  readonly errorSummary: string;
  /** The HTTP status. */
  readonly status: number;

  constructor(
    message: string,
    details: { errorCode: string; errorSummary: string; status: number },
    options: AppErrorOptions = {},
  ) {
    super(message, options);
    this.name = "OktaApiError";
    this.errorCode = details.errorCode;
    this.errorSummary = details.errorSummary;
    this.status = details.status;
  }
}

/** Options for {@linkcode OktaClient}. */
export interface OktaClientOptions {
  /** The org origin (from `oktaBaseUrl`). */
  baseUrl: URL;
  /** The project's fetch stack. */
  fetch: Fetch;
  /** The cookie jar to use; a new empty one when omitted. */
  jar?: CookieJar;
  /** Debug sink; gets redacted lines only. */
  debug?: (line: string) => void;
  /** Pause before the one retry of an idempotent GET, in milliseconds. Default 500. */
  retryDelayMs?: number;
}

/** A parsed JSON answer. */
export interface JsonResult<T> {
  /** HTTP status (2xx; errors are thrown). */
  status: number;
  /** Response headers (e.g. `Retry-After`). */
  headers: Headers;
  /** The parsed body. */
  body: T;
}

/** An HTML page at the end of a redirect chain. */
export interface HtmlResult {
  /** HTTP status of the last hop (any status; error pages matter to the caller). */
  status: number;
  /** The URL of the last hop. */
  url: URL;
  /** The page text. */
  body: string;
  /** Set when a redirect to a page matching `stopAt` was not followed (`url` is that page). */
  stopped?: boolean;
}

/** Options for {@linkcode OktaClient.getHtml}. */
export interface GetHtmlOptions {
  /** Retry once on 5xx or a network failure. Default true; turn it off for single-use tokens. */
  retry?: boolean;
  /** Follow redirects (default true); when false the first answer, 3xx included, is returned. */
  followRedirects?: boolean;
  /** A redirect to a URL for which this returns true is not followed: the answer says `stopped`. */
  stopAt?: (url: URL) => boolean;
}

const MAX_REDIRECTS = 10;
const DEFAULT_RETRY_DELAY_MS = 500;

/** HTTP client for one Okta org. */
export class OktaClient {
  /** The org origin every relative path resolves against. */
  readonly baseUrl: URL;
  /** Cookies sent to and received from the org. */
  readonly jar: CookieJar;
  readonly #fetch: Fetch;
  readonly #debug: (line: string) => void;
  readonly #retryDelayMs: number;

  constructor(options: OktaClientOptions) {
    this.baseUrl = new URL(options.baseUrl.origin);
    this.jar = options.jar ?? new CookieJar(this.baseUrl);
    this.#fetch = options.fetch;
    this.#debug = options.debug ?? (() => {});
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  }

  /**
   * Resolves a path ("/api/v1/authn", "home/amazon_aws/…") or an absolute link from an Okta answer.
   * Absolute links must stay on the org's origin: a link elsewhere would carry the transaction's
   * state token to a host the user never configured.
   */
  resolve(pathOrUrl: string | URL): URL {
    const text = String(pathOrUrl);
    const url = /^[a-z][a-z0-9+.-]*:/i.test(text)
      ? new URL(text)
      : new URL(text.startsWith("/") ? text : `/${text}`, this.baseUrl);
    if (url.origin !== this.baseUrl.origin) {
      throw new AppError(`Okta sent a link to another host "${url.host}"`, {
        hint: `expected ${this.baseUrl.host}; check the Okta domain`,
      });
    }
    return url;
  }

  /** POSTs a JSON body and returns the parsed 2xx answer; Okta errors become {@linkcode OktaApiError}. */
  postJson<T>(pathOrUrl: string | URL, body: unknown): Promise<JsonResult<T>> {
    return this.#json<T>("POST", this.resolve(pathOrUrl), JSON.stringify(body));
  }

  /** GETs JSON (retried once on 5xx or a network failure). */
  getJson<T>(pathOrUrl: string | URL): Promise<JsonResult<T>> {
    return this.#json<T>("GET", this.resolve(pathOrUrl), undefined);
  }

  /**
   * GETs an HTML page, following up to 10 redirects by hand so that cookies are captured from every
   * hop and sent only to the Okta origin. Any final status is returned, not thrown.
   */
  async getHtml(pathOrUrl: string | URL, options: GetHtmlOptions = {}): Promise<HtmlResult> {
    const retry = options.retry ?? true;
    let url = this.resolve(pathOrUrl);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers = new Headers({ accept: "text/html,application/xhtml+xml" });
      const response = await this.#send("GET", url, headers, undefined, retry);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location && options.followRedirects !== false) {
        await response.body?.cancel();
        const next = new URL(location, url);
        if (url.protocol === "https:" && next.protocol !== "https:") {
          throw new AppError(`Okta redirected to a plain-HTTP page on "${next.host}"`, {
            hint: "check the Okta domain and any proxy in between",
          });
        }
        if (options.stopAt?.(next)) return { status: response.status, url: next, body: "", stopped: true };
        url = next;
        continue;
      }
      return { status: response.status, url, body: await response.text() };
    }
    throw new AppError(`Okta redirected more than ${MAX_REDIRECTS} times for "${this.#path(url)}"`, {
      hint: "clear the stored Okta session and try again",
    });
  }

  async #json<T>(method: string, url: URL, body: string | undefined): Promise<JsonResult<T>> {
    const headers = new Headers({ accept: "application/json", "cache-control": "no-cache" });
    if (body !== undefined) headers.set("content-type", "application/json");
    const response = await this.#send(method, url, headers, body, method === "GET");
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.status >= 200 && response.status < 300) {
      if (parsed === undefined) {
        throw new AppError(
          `Okta answered ${method} "${this.#path(url)}" with HTTP ${response.status} but no JSON`,
          { hint: "check the Okta domain and any proxy in between" },
        );
      }
      return { status: response.status, headers: response.headers, body: parsed as T };
    }
    throw this.#errorFor(method, url, response, parsed);
  }

  /** One request, with cookies, captured Set-Cookie, and at most one retry when `retry` is set. */
  async #send(
    method: string,
    url: URL,
    headers: Headers,
    body: string | undefined,
    retry: boolean,
  ): Promise<Response> {
    for (let attempt = 1;; attempt++) {
      if (this.jar.appliesTo(url)) {
        const cookie = this.jar.toHeader();
        if (cookie) headers.set("cookie", cookie);
        else headers.delete("cookie");
      } else {
        headers.delete("cookie");
      }
      const init: RequestInit = { method, headers, redirect: "manual" };
      if (body !== undefined) init.body = body;
      let response: Response;
      try {
        response = await this.#fetch(url, init);
      } catch (error) {
        if (!retry || attempt > 1) throw error;
        this.#debug(`okta: ${method} ${this.#path(url)} failed; retrying once`);
        await delay(this.#retryDelayMs);
        continue;
      }
      this.jar.storeFrom(url, response.headers);
      if (response.status >= 500 && retry && attempt === 1) {
        await response.body?.cancel();
        this.#debug(`okta: ${method} ${this.#path(url)} -> ${response.status}; retrying once`);
        await delay(this.#retryDelayMs);
        continue;
      }
      return response;
    }
  }

  #errorFor(method: string, url: URL, response: Response, parsed: unknown): AppError {
    const path = this.#path(url);
    const status = response.status;
    const error = isRecord(parsed) && typeof parsed.errorCode === "string" ? parsed : undefined;
    if (!error) {
      return new AppError(`Okta answered ${method} "${path}" with HTTP ${status}`, {
        hint: status >= 500
          ? "Okta or a proxy in between is failing; try again later"
          : "check the Okta domain and any proxy in between",
      });
    }
    const errorCode = error.errorCode as string;
    const errorSummary = serverText(typeof error.errorSummary === "string" ? error.errorSummary : "");
    const details = { errorCode, errorSummary, status };
    if (status === 429 && errorCode === "E0000047") {
      // X-Rate-Limit-Reset is the epoch second at which the window reopens.
      const reset = Number(response.headers.get("x-rate-limit-reset"));
      const seconds = Math.ceil(reset - Date.now() / 1000);
      const when = Number.isFinite(seconds) && seconds > 0 ? `in ${seconds} s` : "in a minute";
      return new OktaApiError(`Okta's rate limit was exceeded for "${path}"`, details, {
        hint: `try again ${when}`,
      });
    }
    const summary = errorSummary ? `${errorSummary} (${errorCode})` : errorCode;
    return new OktaApiError(`Okta refused ${method} "${path}": ${summary}`, details);
  }

  #path(url: URL): string {
    return url.pathname;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
