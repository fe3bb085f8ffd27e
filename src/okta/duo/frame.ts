/**
 * A client for Duo's traditional prompt, the "frame" API the Duo Web v2 iframe talks to: open a
 * session for Okta's signed request (`/frame/web/v1/auth` → `sid`), start a method
 * (`/frame/prompt` → `txid`), poll `/frame/status`, and fetch the signed result cookie that Okta's
 * callback wants. The API is undocumented; field names follow what Duo's own iframe sends.
 *
 * Only HTTPS is used, except for loopback hosts (the test simulator). Nothing here logs a sid,
 * txid, passcode or cookie.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { Fetch } from "../../net/fetch.ts";
import type { DuoChoice } from "./choice.ts";

/** One `/frame/status` answer. */
export interface DuoStatus {
  /** Progress or outcome: "pushed", "calling", "answered", "allow", "deny", "timeout", … */
  code: string;
  /** Duo's human text for the state, e.g. "Pushed a login request to your device...". */
  text: string;
  /** "SUCCESS" or "FAILURE" once decided. */
  result?: string;
  /** Why it failed, when Duo says. */
  reason?: string;
  /** Where the signed cookie is fetched on success (a path on the Duo host). */
  resultUrl?: string;
  /** The signed cookie, when Duo includes it directly. */
  cookie?: string;
}

/** Options for {@linkcode DuoFrame}. */
export interface DuoFrameOptions {
  /** Duo's API host from Okta's verification data, e.g. "api-1234abcd.duosecurity.com". */
  host: string;
  /** The project's fetch stack. */
  fetch: Fetch;
  /** Debug sink; gets redacted lines only. */
  debug?: (line: string) => void;
}

/** Thrown when Duo hands the login to its Universal Prompt instead of the frame API. */
export class DuoUniversalPromptError extends AppError {
  constructor() {
    super("Duo moved this login to its Universal Prompt, which needs a browser", {
      hint:
        "set okta_auth_flow = device for the profile to sign in through the browser, or pick another factor with --mfa-factor-type",
    });
    this.name = "DuoUniversalPromptError";
  }
}

/** Client for one Duo host. */
export class DuoFrame {
  /** `https://<host>` (http only for loopback hosts). */
  readonly origin: URL;
  readonly #fetch: Fetch;
  readonly #debug: (line: string) => void;

  constructor(options: DuoFrameOptions) {
    this.origin = duoOrigin(options.host);
    this.#fetch = options.fetch;
    this.#debug = options.debug ?? (() => {});
  }

  /**
   * Opens a Duo session for Okta's `TX|…` request and returns its `sid`. Duo answers with a
   * redirect to the prompt (the sid in its query), or first with a page of hidden fields that
   * must be posted back once.
   */
  async openSession(tx: string, parent: string, version: string): Promise<string> {
    const url = new URL("/frame/web/v1/auth", this.origin);
    url.searchParams.set("tx", tx);
    url.searchParams.set("parent", parent);
    url.searchParams.set("v", version);
    let form: Record<string, string> = {};
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await this.#post(url, form);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, this.origin);
        if (isUniversalPrompt(next)) throw new DuoUniversalPromptError();
        const sid = next.searchParams.get("sid");
        if (!sid) throw this.#unexpected("auth", "a redirect without a session id");
        return sid;
      }
      const text = await response.text();
      if (response.status !== 200) throw this.#httpError("auth", response.status);
      if (/frameless|\/frame\/v4\//i.test(text)) throw new DuoUniversalPromptError();
      const fields = hiddenFields(text);
      if (!fields.sid || attempt > 0) throw this.#unexpected("auth", "a page without a session");
      form = { sid: fields.sid, ...(fields.certs_url ? { certs_url: fields.certs_url } : {}) };
      this.#debug("duo: auth answered with a form; posting it back");
    }
    throw this.#unexpected("auth", "no session");
  }

  /** Starts the chosen method and returns Duo's transaction id. */
  async prompt(sid: string, choice: DuoChoice, passcode?: string): Promise<string> {
    const form: Record<string, string> = {
      sid,
      device: choice.device,
      factor: choice.method,
      out_of_date: "False",
      days_out_of_date: "0",
    };
    if (passcode !== undefined) form.passcode = passcode;
    const body = await this.#json("prompt", new URL("/frame/prompt", this.origin), form);
    const txid = body.txid;
    if (typeof txid !== "string" || txid === "") throw this.#unexpected("prompt", "no transaction id");
    return txid;
  }

  /** One status poll. */
  async status(sid: string, txid: string): Promise<DuoStatus> {
    const body = await this.#json("status", new URL("/frame/status", this.origin), { sid, txid });
    const status: DuoStatus = {
      code: text(body.status_code),
      text: text(body.status),
    };
    if (typeof body.result === "string") status.result = body.result;
    if (typeof body.reason === "string") status.reason = body.reason;
    if (typeof body.result_url === "string") status.resultUrl = body.result_url;
    if (typeof body.cookie === "string") status.cookie = body.cookie;
    return status;
  }

  /** The signed `AUTH|…` cookie of a successful status (fetched from its result URL if needed). */
  async resultCookie(sid: string, status: DuoStatus): Promise<string> {
    if (status.cookie) return status.cookie;
    const path = status.resultUrl;
    // The result URL is a path on the same host; anything else is not followed.
    if (!path || !path.startsWith("/") || path.startsWith("//")) {
      throw this.#unexpected("status", "a success without a result");
    }
    const body = await this.#json("result", new URL(path, this.origin), { sid });
    const cookie = body.cookie;
    if (typeof cookie !== "string" || !cookie.startsWith("AUTH|")) {
      throw this.#unexpected("result", "no signed result");
    }
    return cookie;
  }

  async #json(what: string, url: URL, form: Record<string, string>): Promise<Record<string, unknown>> {
    const response = await this.#post(url, form, true);
    const body = await response.text();
    if (response.status !== 200) throw this.#httpError(what, response.status);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw this.#unexpected(what, "an answer that is not JSON");
    }
    const envelope = isRecord(parsed) ? parsed : {};
    if (envelope.stat !== "OK") {
      const message = oneLine(text(envelope.message)) || "no reason given";
      throw new AppError(`Duo refused the ${what} request: ${message}`, {
        hint: "check --mfa-duo-device (phone1, phone2, phone1:call, phone1:passcode or token)",
      });
    }
    return isRecord(envelope.response) ? envelope.response : {};
  }

  async #post(url: URL, form: Record<string, string>, xhr = false): Promise<Response> {
    const headers = new Headers({
      "content-type": "application/x-www-form-urlencoded",
      origin: this.origin.origin,
      accept: xhr ? "application/json" : "text/html,application/json",
    });
    if (xhr) headers.set("x-requested-with", "XMLHttpRequest");
    this.#debug(`duo: POST ${url.pathname}`);
    return await this.#fetch(url, {
      method: "POST",
      headers,
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
  }

  #httpError(what: string, status: number): AppError {
    return new AppError(`Duo answered the ${what} request with HTTP ${status}`, {
      hint: status >= 500 ? "Duo or a proxy in between is failing; try again later" : "run the command again",
    });
  }

  #unexpected(what: string, detail: string): AppError {
    return new AppError(`Duo answered the ${what} request with ${detail}`, {
      hint: "run the command again; if it keeps failing, pick another factor with --mfa-factor-type",
    });
  }
}

/** `https://<host>`, or `http://` for a loopback host. Rejects anything that is not a bare host. */
export function duoOrigin(host: string): URL {
  const trimmed = host.trim();
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(trimmed) && !/^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(trimmed)) {
    throw new AppError(`Okta sent an invalid Duo host "${trimmed.slice(0, 80)}"`, {
      hint: "pick another factor with --mfa-factor-type",
    });
  }
  const probe = new URL(`https://${trimmed}`);
  const loopback = probe.hostname === "127.0.0.1" || probe.hostname === "localhost" ||
    probe.hostname === "[::1]";
  return new URL(`${loopback ? "http" : "https"}://${trimmed}`);
}

/** Whether a redirect goes to Duo's Universal Prompt (frameless v4 or its OIDC endpoints). */
export function isUniversalPrompt(url: URL): boolean {
  return /^\/frame\/(frameless\/)?v4\//.test(url.pathname) || url.pathname.startsWith("/oauth/v1/");
}

/** The name → value pairs of an HTML page's hidden inputs. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    const attributes = new Map<string, string>();
    for (const match of tag.matchAll(/([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? "");
    }
    const name = attributes.get("name");
    if (attributes.get("type")?.toLowerCase() === "hidden" && name) {
      fields[name] = decodeEntities(attributes.get("value") ?? "");
    }
  }
  return fields;
}

function decodeEntities(value: string): string {
  // "&amp;" last, so that "&amp;lt;" stays "&lt;".
  return value.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function oneLine(value: string): string {
  const line = value.replace(/\s+/g, " ").trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
