/**
 * A deliberately small cookie jar for one Okta origin. The login needs only a handful of cookies
 * (`sid`, `DT`, and whatever the sign-in pages set along the way), all scoped to the org host, so the
 * jar is keyed by name and never sends a cookie to any other origin.
 *
 * @module
 */

interface StoredCookie {
  value: string;
  /** Epoch milliseconds after which the cookie is gone; undefined for a session cookie. */
  expiresAt: number | undefined;
}

/** Cookies of one Okta origin, keyed by name. */
export class CookieJar {
  readonly #origin: string;
  readonly #host: string;
  readonly #now: () => number;
  readonly #cookies = new Map<string, StoredCookie>();

  /**
   * @param origin the Okta origin the cookies belong to
   * @param now the clock, in epoch milliseconds (tests move it)
   */
  constructor(origin: URL | string, now: () => number = Date.now) {
    const url = new URL(origin);
    this.#origin = url.origin;
    this.#host = url.hostname;
    this.#now = now;
  }

  /** The cookie's value, or undefined when it is absent or expired. */
  get(name: string): string | undefined {
    const cookie = this.#cookies.get(name);
    if (!cookie) return undefined;
    if (cookie.expiresAt !== undefined && cookie.expiresAt <= this.#now()) {
      this.#cookies.delete(name);
      return undefined;
    }
    return cookie.value;
  }

  /** Stores a cookie (e.g. a saved `sid`), replacing any with the same name. */
  set(name: string, value: string, expiresAt?: number): void {
    this.#cookies.set(name, { value, expiresAt });
  }

  /** Forgets a cookie. */
  delete(name: string): void {
    this.#cookies.delete(name);
  }

  /** The names of the live cookies. */
  names(): string[] {
    return [...this.#cookies.keys()].filter((name) => this.get(name) !== undefined);
  }

  /** The `Cookie` request header value, or "" when the jar is empty. */
  toHeader(): string {
    return this.names().map((name) => `${name}=${this.#cookies.get(name)?.value ?? ""}`).join("; ");
  }

  /** Whether a request to `url` should carry the jar's cookies (same origin only). */
  appliesTo(url: URL): boolean {
    return url.origin === this.#origin;
  }

  /** Takes the `Set-Cookie` headers of a response to `url`; responses from other origins are ignored. */
  storeFrom(url: URL, headers: Headers): void {
    if (!this.appliesTo(url)) return;
    for (const line of headers.getSetCookie()) this.#storeLine(line);
  }

  #storeLine(line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (name === "") return;
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);

    let maxAge: number | undefined;
    let expires: number | undefined;
    for (const attribute of attributes) {
      const at = attribute.indexOf("=");
      const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
      const attributeValue = at < 0 ? "" : attribute.slice(at + 1).trim();
      if (key === "max-age" && /^-?\d+$/.test(attributeValue)) {
        maxAge = Number(attributeValue);
      } else if (key === "expires") {
        const parsed = Date.parse(attributeValue);
        if (!Number.isNaN(parsed)) expires = parsed;
      } else if (key === "domain" && attributeValue !== "" && !this.#domainMatches(attributeValue)) {
        // A cookie for a domain that does not cover the Okta host would never be sent by a browser.
        return;
      }
    }
    // Max-Age wins over Expires (RFC 6265 §5.3); zero or negative, or a past date, deletes the cookie.
    const now = this.#now();
    const expiresAt = maxAge !== undefined ? now + maxAge * 1000 : expires;
    if (expiresAt !== undefined && expiresAt <= now) {
      this.#cookies.delete(name);
      return;
    }
    this.#cookies.set(name, { value, expiresAt });
  }

  #domainMatches(domain: string): boolean {
    const wanted = domain.replace(/^\./, "").toLowerCase();
    return this.#host === wanted || this.#host.endsWith(`.${wanted}`);
  }
}
