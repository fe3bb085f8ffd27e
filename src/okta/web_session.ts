/**
 * A small browser stand-in for logins that leave the Okta org for another site and come back
 * (Duo's Universal Prompt): one cookie jar per trusted origin, redirects followed by hand and
 * bounded, and nothing sent to an origin the session was not told to trust.
 *
 * Cookies are scoped by origin: Okta's `sid` and `DT` never reach Duo, and Duo's cookies never
 * reach Okta. Only HTTPS is spoken, except to loopback hosts (the test simulators). The project's
 * fetch logs each request with its query values redacted; nothing here logs more.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { type Fetch, isLoopback } from "../net/fetch.ts";
import { CookieJar } from "./cookie_jar.ts";

/** The default bound on redirects followed by one {@linkcode WebSession.request}. */
export const MAX_REDIRECTS = 10;

/** One answer on the way (a redirect hop or the final page). */
export interface WebHop {
  /** HTTP status. */
  status: number;
  /** The URL that answered. */
  url: URL;
  /** Names of the cookies this answer set (values stay in the jar). */
  cookiesSet: string[];
}

/** The answer a request ended with. */
export interface WebPage extends WebHop {
  /** Response headers (including `location` of a redirect that was not followed). */
  headers: Headers;
  /** The body text ("" for redirects). */
  body: string;
}

/** Options of one {@linkcode WebSession.request}. */
export interface WebRequest {
  /** What the request is for, named in errors ("the prompt page"). */
  step: string;
  /** "GET" (default) or "POST". */
  method?: "GET" | "POST";
  /** A form body (sent as application/x-www-form-urlencoded; POST only). */
  form?: Record<string, string>;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Follow redirects (default true); when false the first answer, 3xx included, is returned. */
  follow?: boolean;
  /**
   * Called for a redirect to an origin the session does not trust yet; returning true trusts it
   * (with a new, empty jar). Without it, such a redirect is an error.
   */
  adopt?: (url: URL) => boolean;
  /** Called after each answer; returning true stops there (the answer is returned unfollowed). */
  until?: (hop: WebHop) => boolean;
}

/** Options of {@linkcode WebSession}. */
export interface WebSessionOptions {
  /** The project's fetch. */
  fetch: Fetch;
  /** Names the flow in errors, e.g. "Duo's Universal Prompt". */
  label: string;
  /** Redirects followed per request (default {@linkcode MAX_REDIRECTS}). */
  maxRedirects?: number;
}

/** Cookie jars by origin and a redirect-following request function over them. */
export class WebSession {
  readonly #fetch: Fetch;
  readonly #label: string;
  readonly #maxRedirects: number;
  readonly #jars = new Map<string, CookieJar>();

  constructor(options: WebSessionOptions) {
    this.#fetch = options.fetch;
    this.#label = options.label;
    this.#maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
  }

  /**
   * Trusts an origin, with `jar` as its cookie jar (a new one when omitted; pass the Okta client's
   * jar so that the session cookie lands where the rest of the login reads it).
   *
   * @throws {AppError} for plain HTTP to a host that is not loopback.
   */
  trust(origin: URL, jar?: CookieJar): CookieJar {
    this.#checkScheme(origin);
    const key = origin.origin;
    const existing = this.#jars.get(key);
    if (existing) return existing;
    const created = jar ?? new CookieJar(key);
    this.#jars.set(key, created);
    return created;
  }

  /** Whether requests to `url` are allowed (its origin is trusted). */
  trusts(url: URL): boolean {
    return this.#jars.has(url.origin);
  }

  /** The jar of a trusted origin. */
  jar(origin: URL): CookieJar | undefined {
    return this.#jars.get(origin.origin);
  }

  /**
   * Sends a request to a trusted origin and follows redirects (303, and 301/302 after a POST,
   * become GETs as in browsers) up to the bound, capturing cookies on every hop.
   *
   * @throws {AppError} for an untrusted origin, plain HTTP off loopback, or too many redirects.
   */
  async request(url: URL, options: WebRequest): Promise<WebPage> {
    let current = url;
    let method = options.method ?? "GET";
    let form = options.form;
    for (let hop = 0;; hop++) {
      const jar = this.#jars.get(current.origin);
      if (!jar) throw this.#foreign(current, options.step);
      this.#checkScheme(current, options.step);
      const headers = new Headers({
        accept: "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
        ...options.headers,
      });
      const cookie = jar.toHeader();
      if (cookie) headers.set("cookie", cookie);
      const init: RequestInit = { method, headers, redirect: "manual" };
      if (method === "POST") {
        headers.set("content-type", "application/x-www-form-urlencoded");
        init.body = new URLSearchParams(form ?? {}).toString();
      }
      const response = await this.#fetch(current, init);
      jar.storeFrom(current, response.headers);
      const cookiesSet = response.headers.getSetCookie()
        .map((line) => line.slice(0, Math.max(0, line.indexOf("="))).trim())
        .filter((name) => name !== "");
      const location = response.headers.get("location");
      const redirect = response.status >= 300 && response.status < 400 && location !== null;
      const answer: WebHop = { status: response.status, url: current, cookiesSet };
      if (!redirect || options.follow === false || options.until?.(answer)) {
        return { ...answer, headers: response.headers, body: redirect ? "" : await response.text() };
      }
      await response.body?.cancel();
      if (hop >= this.#maxRedirects) {
        throw new AppError(
          `${this.#label} redirected more than ${this.#maxRedirects} times at the ${options.step}`,
          { hint: "run the command again; if it keeps failing, sign in with okta_auth_flow = device" },
        );
      }
      const next = new URL(location, current);
      if (!this.#jars.has(next.origin) && options.adopt?.(next)) this.trust(next);
      if (
        response.status === 303 || (method === "POST" && response.status !== 307 && response.status !== 308)
      ) {
        method = "GET";
        form = undefined;
      }
      current = next;
    }
  }

  #checkScheme(url: URL, step?: string): void {
    if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) return;
    const where = step ? ` at the ${step}` : "";
    throw new AppError(`${this.#label} would talk to "${url.host}" without HTTPS${where}`, {
      hint: "check the Okta domain and any proxy in between",
    });
  }

  #foreign(url: URL, step: string): AppError {
    return new AppError(`${this.#label} went to another host "${url.host}" at the ${step}`, {
      hint: "aws-okta only follows Okta and the Duo host Okta names; sign in with okta_auth_flow = device",
    });
  }
}
