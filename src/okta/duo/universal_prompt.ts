/**
 * Duo's frameless Universal Prompt (v4) without a browser, from the plugin form Duo serves first to
 * the OIDC exit that sends the browser back to the integration (here: Okta). The steps, as public
 * clients (gimme-aws-creds, aws-adfs) and captures of Duo's own pages show them:
 *
 * 1. the plugin form of `/frame/frameless/v4/auth` is posted back (its script would add browser
 *    details); Duo answers with a redirect: to `/frame/v4/auth/prompt` (the React prompt), to a
 *    health check first (`/frame/v4/preauth/healthcheck`, its `…/data` call and `/frame/v4/return`,
 *    after which the form is posted again), or to the 2023 server-rendered `login-form` page;
 * 2. the devices come from `/frame/v4/auth/prompt/data` (or the login form's device list);
 * 3. `/frame/v4/prompt` (or the login form's action) starts Duo Push, a call or a passcode check
 *    with `postAuthDestination=OIDC_EXIT`, returning a txid; `/frame/v4/status` is polled;
 * 4. `/frame/v4/oidc/exit` answers with a redirect to the integration's callback.
 *
 * XHR-style calls carry the page's XSRF token as `X-Xsrftoken`. Duo's pages are undocumented and
 * may change; every step that finds something unexpected says which step it was. No sid, txid,
 * XSRF token, passcode or cookie reaches a message or a debug line.
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import type { DuoChoice } from "./choice.ts";
import {
  type DuoDecision,
  isApproved,
  isRefused,
  MAX_PASSCODE_ATTEMPTS,
  noPasscodeAccepted,
  notApprovedInTime,
  oneLine,
  passcodeQuestion,
  refusal,
  startedLine,
} from "./outcome.ts";
import { type DuoLoginForm, readDuoPage } from "./universal_page.ts";
import { delay, type FactorContext } from "../factors/handler.ts";
import type { WebPage, WebSession } from "../web_session.ts";

const LABEL = "Duo's Universal Prompt";
const DEFAULT_POLL_INTERVAL_MS = 2000;
const DEFAULT_PUSH_TIMEOUT_MS = 5 * 60 * 1000;
/** Plugin-form posts allowed (Duo asks for a second one after its health check). */
const MAX_PLUGIN_POSTS = 3;
const POST_AUTH_DESTINATION = "OIDC_EXIT";

/** What the prompt page's script reports about the browser (a desktop without platform keys). */
const BROWSER_FEATURES = JSON.stringify({
  touch_supported: false,
  platform_authenticator_status: "unavailable",
  webauthn_supported: false,
  screen_resolution_height: 1080,
  screen_resolution_width: 1920,
  screen_color_depth: 24,
  is_uvpa_available: false,
  client_capabilities_uvpa: false,
});

/** Plugin-form fields Duo's preauth script fills in; the rest are posted as served. */
const PLUGIN_DETAILS: Record<string, string> = {
  screen_resolution_width: "1920",
  screen_resolution_height: "1080",
  color_depth: "24",
  is_cef_browser: "false",
  is_ipad_os: "false",
  is_user_verifying_platform_authenticator_available: "false",
  react_support: "true",
};

/** Input of {@linkcode runUniversalPrompt}. */
export interface UniversalPromptInput {
  /** The session that trusts the Duo host (and Okta). */
  session: WebSession;
  /** The frameless page the hand-off landed on (`/frame/frameless/v4/auth?sid=…&tx=…`). */
  landing: WebPage;
  /** Device and method. */
  choice: DuoChoice;
  /** Prompter, debug sink, poll interval and deadline. */
  context: FactorContext;
}

/** A device as the prompt offers it. */
interface Device {
  /** "phone1", "phone2", … */
  index: string;
  /** Duo's device key (sent back on exit; "" when the page gives none). */
  key: string;
}

/** How to start a method on the prompt that was served. */
interface Starter {
  devices: Device[];
  xsrf: string;
  /** The `device` value for a passcode. */
  passcodeDevice(devices: Device[]): string;
  start(device: string, passcode: string | undefined): Promise<string>;
}

/**
 * Runs the prompt to approval and returns where Duo's exit redirects (the integration's callback).
 *
 * @throws {AppError} for denial, timeout, refused passcodes, unknown devices and unexpected pages.
 */
export async function runUniversalPrompt(input: UniversalPromptInput): Promise<URL> {
  return await new UniversalPrompt(input).run();
}

class UniversalPrompt {
  readonly #session: WebSession;
  readonly #landing: WebPage;
  readonly #choice: DuoChoice;
  readonly #context: FactorContext;
  readonly #origin: URL;
  readonly #sid: string;
  readonly #debug: (line: string) => void;

  constructor(input: UniversalPromptInput) {
    this.#session = input.session;
    this.#landing = input.landing;
    this.#choice = input.choice;
    this.#context = input.context;
    this.#origin = new URL(input.landing.url.origin);
    this.#debug = input.context.debug ?? (() => {});
    const sid = input.landing.url.searchParams.get("sid");
    if (!sid) throw unexpected("plugin form", "a page without a session");
    this.#sid = sid;
  }

  async run(): Promise<URL> {
    let page = this.#landing;
    let xsrf: string | undefined;
    for (let post = 1; post <= MAX_PLUGIN_POSTS; post++) {
      const read = await readDuoPage(page.body);
      if (read.singlePage) throw singlePagePrompt();
      const form = read.pluginForm;
      if (page.status !== 200 || !form) throw unexpected("plugin form", describe(page));
      xsrf = form.fields._xsrf ?? xsrf;
      const target = this.#onDuo(form.action ? new URL(form.action, page.url) : page.url, "plugin form");
      const fields = { ...form.fields };
      for (const [name, value] of Object.entries(PLUGIN_DETAILS)) {
        if (fields[name] === "") fields[name] = value;
      }
      const posted = await this.#session.request(target, {
        step: "plugin form",
        method: "POST",
        form: fields,
        follow: false,
      });
      const next = await this.#redirect(posted, "plugin form");
      if (next.origin !== this.#origin.origin) {
        // Duo let the login through without a method (a remembered browser): straight back.
        this.#debug("duo-up: no method needed");
        return next;
      }
      if (next.pathname.startsWith("/frame/v4/preauth/healthcheck")) {
        this.#debug("duo-up: health check");
        page = await this.#healthCheck(next, xsrf);
        continue;
      }
      if (next.pathname === "/frame/v4/auth/prompt") {
        return await this.#approve(await this.#reactPrompt(next, xsrf));
      }
      if (next.pathname === "/frame/prompt") return await this.#approve(await this.#legacyPrompt(next, xsrf));
      throw unexpected("plugin form", `a redirect to "${next.pathname}"`);
    }
    throw unexpected("health check", "the plugin form again and again");
  }

  /** The health check: its page, its data call, then back to the plugin form. */
  async #healthCheck(url: URL, xsrf: string | undefined): Promise<WebPage> {
    const shell = await this.#session.request(this.#onDuo(url, "health check"), { step: "health check" });
    if (shell.status !== 200) throw httpError("health check", shell.status);
    const token = (await readDuoPage(shell.body)).xsrfToken ?? xsrf;
    if (!token) throw unexpected("health check", "a page without its XSRF token");
    await this.#json("health check", this.#duoUrl("/frame/v4/preauth/healthcheck/data"), token);
    const back = this.#duoUrl("/frame/v4/return");
    back.searchParams.set("sid", this.#sid);
    return await this.#session.request(back, { step: "health check" });
  }

  /** The React prompt: the shell for its XSRF token, then the device list. */
  async #reactPrompt(url: URL, fallbackXsrf: string | undefined): Promise<Starter> {
    const shell = await this.#session.request(url, { step: "prompt page" });
    if (shell.status !== 200) throw httpError("prompt page", shell.status);
    const read = await readDuoPage(shell.body);
    if (read.singlePage) throw singlePagePrompt();
    const xsrf = read.xsrfToken ?? fallbackXsrf;
    if (!xsrf) throw unexpected("prompt page", "a page without its XSRF token");
    const dataUrl = this.#duoUrl("/frame/v4/auth/prompt/data");
    dataUrl.searchParams.set("post_auth_action", POST_AUTH_DESTINATION);
    dataUrl.searchParams.set("browser_features", BROWSER_FEATURES);
    dataUrl.searchParams.set("sid", this.#sid);
    const data = await this.#json("device list", dataUrl, xsrf);
    const devices = (Array.isArray(data.phones) ? data.phones : []).flatMap((phone): Device[] => {
      if (!isRecord(phone) || typeof phone.index !== "string") return [];
      return [{ index: phone.index, key: typeof phone.key === "string" ? phone.key : "" }];
    });
    return {
      devices,
      xsrf,
      // The prompt's script sends no device with a passcode; form encoding turns that into "null".
      passcodeDevice: () => "null",
      start: async (device, passcode) => {
        const form: Record<string, string> = {};
        if (passcode !== undefined) form.passcode = passcode;
        Object.assign(form, {
          device,
          factor: this.#choice.method,
          postAuthDestination: POST_AUTH_DESTINATION,
          browser_features: BROWSER_FEATURES,
          sid: this.#sid,
        });
        return txidOf(await this.#json("method start", this.#duoUrl("/frame/v4/prompt"), xsrf, form));
      },
    };
  }

  /** The 2023 server-rendered prompt: its login form holds the fields, devices and XSRF token. */
  async #legacyPrompt(url: URL, fallbackXsrf: string | undefined): Promise<Starter> {
    const page = await this.#session.request(url, { step: "prompt page" });
    const read = await readDuoPage(page.body);
    if (read.singlePage) throw singlePagePrompt();
    const form: DuoLoginForm | undefined = read.loginForm;
    if (page.status !== 200 || !form) throw unexpected("prompt page", describe(page));
    const xsrf = form.fields._xsrf ?? fallbackXsrf;
    if (!xsrf) throw unexpected("prompt page", "a form without its XSRF token");
    const action = this.#onDuo(new URL(form.action ?? url.pathname, page.url), "prompt page");
    return {
      devices: form.devices.map((index) => ({ index, key: "" })),
      xsrf,
      // The form always names a device; for a passcode it is the chosen phone or the first one.
      passcodeDevice: (devices) =>
        devices.find((device) => device.index === this.#choice.device)?.index ?? devices[0]?.index ?? "null",
      start: async (device, passcode) => {
        const fields: Record<string, string> = {
          ...form.fields,
          sid: this.#sid,
          _xsrf: xsrf,
          device,
          factor: this.#choice.method,
          postAuthDestination: POST_AUTH_DESTINATION,
        };
        if (passcode !== undefined) fields.passcode = passcode;
        return txidOf(await this.#json("method start", action, xsrf, fields));
      },
    };
  }

  /** Starts the chosen method, waits for Duo's decision, and takes the exit. */
  async #approve(starter: Starter): Promise<URL> {
    const choice = this.#choice;
    let device: Device;
    if (choice.method === "Passcode") {
      device = { index: starter.passcodeDevice(starter.devices), key: "" };
    } else {
      const found = starter.devices.find((candidate) => candidate.index === choice.device);
      if (!found) {
        const offered = starter.devices.map((candidate) => `"${candidate.index}"`).join(", ") || "none";
        throw new AppError(`Duo offers no device "${choice.device}" for this login (offered: ${offered})`, {
          hint: "check --mfa-duo-device (phone1, phone2, phone1:call, phone1:passcode or token)",
        });
      }
      device = found;
    }
    const txid = choice.method === "Passcode"
      ? await this.#withPasscode(starter, device)
      : await this.#withPush(starter, device);
    return await this.#exit(txid, device, starter.xsrf);
  }

  async #withPush(starter: Starter, device: Device): Promise<string> {
    const txid = await starter.start(device.index, undefined);
    this.#context.prompter.say(startedLine(this.#choice));
    const timeout = this.#context.pushTimeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS;
    const interval = this.#context.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const deadline = Date.now() + timeout;
    for (let polls = 1;; polls++) {
      const status = await this.#status(txid, starter.xsrf);
      if (isApproved(status)) return txid;
      if (isRefused(status)) throw refusal(this.#choice, status);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw notApprovedInTime(this.#choice, timeout);
      this.#debug(`duo-up: waiting (${polls}, ${status.code || "no status"})`);
      await delay(Math.min(interval, remaining));
    }
  }

  async #withPasscode(starter: Starter, device: Device): Promise<string> {
    const question = passcodeQuestion(this.#choice);
    for (let attempt = 1; attempt <= MAX_PASSCODE_ATTEMPTS; attempt++) {
      const passcode = (await this.#context.prompter.text(question)).replace(/\s+/g, "");
      if (passcode === "") {
        if (attempt < MAX_PASSCODE_ATTEMPTS) this.#context.prompter.say("No passcode entered; try again");
        continue;
      }
      const txid = await starter.start(device.index, passcode);
      const status = await this.#status(txid, starter.xsrf);
      if (isApproved(status)) return txid;
      this.#debug(`duo-up: passcode refused (attempt ${attempt})`);
      if (attempt < MAX_PASSCODE_ATTEMPTS) this.#context.prompter.say("Duo rejected the passcode; try again");
    }
    throw noPasscodeAccepted();
  }

  async #status(txid: string, xsrf: string): Promise<DuoDecision> {
    const body = await this.#json("status check", this.#duoUrl("/frame/v4/status"), xsrf, {
      txid,
      sid: this.#sid,
    });
    const status: DuoDecision = { code: text(body.status_code), text: text(body.status) };
    if (typeof body.result === "string") status.result = body.result;
    if (typeof body.reason === "string") status.reason = body.reason;
    return status;
  }

  /** The OIDC exit: Duo answers with the redirect back to the integration. */
  async #exit(txid: string, device: Device, xsrf: string): Promise<URL> {
    const exit = await this.#session.request(this.#duoUrl("/frame/v4/oidc/exit"), {
      step: "exit",
      method: "POST",
      form: {
        sid: this.#sid,
        txid,
        factor: this.#choice.method,
        device_key: device.key,
        _xsrf: xsrf,
        dampen_choice: "false",
      },
      follow: false,
    });
    return await this.#redirect(exit, "exit");
  }

  /** The target of a redirect answer; any other answer is reported for `step`. */
  async #redirect(page: WebPage, step: string): Promise<URL> {
    const location = page.headers.get("location");
    if (page.status >= 300 && page.status < 400 && location) return new URL(location, page.url);
    if (page.status === 200 && (await readDuoPage(page.body)).singlePage) throw singlePagePrompt();
    throw page.status >= 400 ? httpError(step, page.status) : unexpected(step, describe(page));
  }

  /** An XHR-style call: JSON `{"stat":"OK","response":{…}}` back, Duo's refusal as an error. */
  async #json(
    step: string,
    url: URL,
    xsrf: string,
    form?: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    if (!form && !url.searchParams.has("sid")) url.searchParams.set("sid", this.#sid);
    const request: Parameters<WebSession["request"]>[1] = {
      step,
      follow: false,
      headers: { accept: "application/json", "x-requested-with": "XMLHttpRequest", "x-xsrftoken": xsrf },
    };
    if (form) {
      request.method = "POST";
      request.form = form;
    }
    const page = await this.#session.request(url, request);
    let parsed: unknown;
    try {
      parsed = JSON.parse(page.body);
    } catch {
      parsed = undefined;
    }
    const envelope = isRecord(parsed) ? parsed : undefined;
    if (envelope?.stat === "FAIL") {
      const message = oneLine(text(envelope.message), 160) ||
        `message ${String(envelope.message_enum ?? "?")}`;
      throw new AppError(`Duo refused the ${step}: ${message}`, {
        hint: step === "method start"
          ? "check --mfa-duo-device (phone1, phone2, phone1:call, phone1:passcode or token)"
          : "run the command again; if it keeps failing, sign in with okta_auth_flow = device",
      });
    }
    if (page.status !== 200) throw httpError(step, page.status);
    if (!envelope || envelope.stat !== "OK") throw unexpected(step, "an answer that is not Duo's JSON");
    return isRecord(envelope.response) ? envelope.response : {};
  }

  #duoUrl(path: string): URL {
    return new URL(path, this.#origin);
  }

  #onDuo(url: URL, step: string): URL {
    if (url.origin !== this.#origin.origin) throw unexpected(step, `a link to another host "${url.host}"`);
    return url;
  }
}

function txidOf(response: Record<string, unknown>): string {
  const txid = response.txid;
  if (typeof txid !== "string" || txid === "") throw unexpected("method start", "no transaction id");
  return txid;
}

function describe(page: WebPage): string {
  return page.status === 200 ? "a page aws-okta does not know" : `HTTP ${page.status}`;
}

function httpError(step: string, status: number): AppError {
  return new AppError(`${LABEL} answered the ${step} with HTTP ${status}`, {
    hint: status >= 500 ? "Duo or a proxy in between is failing; try again later" : "run the command again",
  });
}

function unexpected(step: string, detail: string): AppError {
  return new AppError(`${LABEL} answered the ${step} with ${detail}`, {
    hint: "Duo may have changed its prompt; run the command again, or sign in with okta_auth_flow = device",
  });
}

function singlePagePrompt(): AppError {
  return new AppError(`Duo served its newest single-page prompt, which aws-okta cannot follow yet`, {
    hint: "set okta_auth_flow = device for the profile to sign in through the browser",
  });
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
