/**
 * The whole Okta Classic login for the AWS app: reuse the stored session when the app link still
 * answers with SAML, else password + MFA through the Authn API, then redeem the session token on the
 * app link. Also the MFA step-up some app sign-on policies ask for.
 *
 * Nothing secret (password, state or session token, cookies, SAML) reaches a message or a debug line.
 *
 * @module
 */

import { AppError, InteractionNeededError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";
import { type AuthnResponse, expiredTransaction, primaryAuth, resumeTransaction } from "./authn.ts";
import { type HtmlResult, OktaClient, type OktaClientOptions } from "./client.ts";
import { CookieJar } from "./cookie_jar.ts";
import { chooseFactor, type FactorContext, type MfaPreferences, verifyFactor } from "./factors/verify.ts";
import type { OktaPrompter } from "./prompter.ts";
import { type AppPage, parseAppPage } from "./saml_page.ts";
import type { SecurityKeyOpener } from "./factors/security_key.ts";
import { opensSessionCookie } from "./session_answer.ts";

/** Input of {@linkcode classicLogin}. */
export interface ClassicLoginInput {
  /** The org origin (from `oktaBaseUrl`). */
  baseUrl: URL;
  /** The AWS app link path, like "home/amazon_aws/0oa…/272"; the leading "/" is optional. */
  samlUrl: string;
  /** Okta login. */
  username: string;
  /** Returns the password; called only when a password login is needed. */
  password: () => Promise<string>;
  /** The stored `sid` cookie, if any. */
  sessionCookie?: string;
  /** The stored `DT` (remembered device) cookie, if any. */
  deviceToken?: string;
  /** MFA choice (flags, environment and config merged). */
  mfa: MfaPreferences;
  /** The project's fetch stack. */
  fetch: Fetch;
  /** Questions and progress lines. */
  prompter: OktaPrompter;
  /** Debug sink; gets redacted lines only. */
  debug?: (line: string) => void;
  /** Push poll interval in ms (default 2000). */
  pollIntervalMs?: number;
  /** Push approval deadline in ms (default 5 minutes). */
  pushTimeoutMs?: number;
  /** Opens the security key for WebAuthn/U2F factors (src/app wires libfido2 or the test key). */
  openSecurityKey?: SecurityKeyOpener;
  /** False: MFA fails with an InteractionNeededError instead of pushing or asking. Default true. */
  interactive?: boolean;
}

/** What a login produced. */
export interface ClassicLoginResult {
  /** The base64 SAMLResponse, ready for STS. */
  samlResponse: string;
  /** The Okta session cookie (`sid`) to store for next time. */
  sessionCookie?: string;
  /** The device token cookie (`DT`) to store for next time. */
  deviceToken?: string;
  /** True when no password was needed (the stored session answered). */
  reusedSession: boolean;
}

/** Input of {@linkcode authenticate}. */
export type AuthenticateInput = Omit<ClassicLoginInput, "samlUrl" | "sessionCookie">;

/** A state machine step can run at most this often; guards against a server that loops. */
const MAX_TRANSACTION_STEPS = 10;

/**
 * How a finished transaction proves the login: a one-time sessionToken, or (a factor at another
 * identity provider, such as Duo's Universal Prompt) the session cookie Okta already set in the jar.
 */
type Proof = { sessionToken: string } | { sessionCookie: true };

/** Logs in and returns the SAML assertion for the AWS app at `samlUrl`. */
export async function classicLogin(input: ClassicLoginInput): Promise<ClassicLoginResult> {
  const debug = input.debug ?? (() => {});
  const client = createClient(input);
  const appUrl = appLink(client, input.samlUrl);
  const login = new Login(client, input, appUrl);

  if (input.sessionCookie) {
    client.jar.set("sid", input.sessionCookie);
    const page = await login.loadAppPage(appUrl, true);
    debug(`okta: app link with the stored session: ${page.kind}`);
    const samlResponse = await login.settle(page, false);
    if (samlResponse !== undefined) return login.result(samlResponse, true);
    debug("okta: the stored session is over; logging in with the password");
    client.jar.delete("sid");
  }

  const proof = await login.passwordLogin();
  const page = await login.loadAppPage(withProof(appUrl, proof), false);
  debug(`okta: app link after login: ${page.kind}`);
  const samlResponse = await login.settle(page, true);
  if (samlResponse === undefined) throw login.signinError();
  return login.result(samlResponse, false);
}

/**
 * Password + MFA to an Okta session without an app link (for `aws-okta add`): the session token is
 * redeemed at /login/sessionCookieRedirect, which sets the `sid` cookie.
 */
export async function authenticate(
  input: AuthenticateInput,
): Promise<{ sessionCookie?: string; deviceToken?: string }> {
  const client = createClient(input);
  const login = new Login(client, input, client.baseUrl);
  const proof = await login.passwordLogin();
  if ("sessionToken" in proof) {
    const url = new URL("/login/sessionCookieRedirect", client.baseUrl);
    url.searchParams.set("token", proof.sessionToken);
    url.searchParams.set("redirectUrl", new URL("/app/UserHome", client.baseUrl).href);
    // The 302 itself carries the cookie; the dashboard behind it is of no use here.
    const answer = await client.getHtml(url, { retry: false, followRedirects: false });
    if (!client.jar.get("sid") && answer.status >= 400) {
      throw new AppError(`Okta did not open a session for "${input.username}": HTTP ${answer.status}`, {
        hint: "run the command again",
      });
    }
  }
  const sessionCookie = client.jar.get("sid");
  const result: { sessionCookie?: string; deviceToken?: string } = {};
  if (sessionCookie) result.sessionCookie = sessionCookie;
  const deviceToken = client.jar.get("DT");
  if (deviceToken) result.deviceToken = deviceToken;
  return result;
}

function createClient(input: AuthenticateInput): OktaClient {
  const jar = new CookieJar(input.baseUrl);
  if (input.deviceToken) jar.set("DT", input.deviceToken);
  const options: OktaClientOptions = { baseUrl: input.baseUrl, fetch: input.fetch, jar };
  if (input.debug) options.debug = input.debug;
  return new OktaClient(options);
}

/** The app link as a URL on the org; absolute links must point at the org itself. */
function appLink(client: OktaClient, samlUrl: string): URL {
  const trimmed = samlUrl.trim();
  if (trimmed === "" || trimmed === "/") {
    throw new AppError("the AWS app link (aws_saml_url) is empty", {
      hint: 'set it like "home/amazon_aws/0oa1abcdEFGH2345/272"',
    });
  }
  return client.resolve(trimmed);
}

function withToken(appUrl: URL, sessionToken: string): URL {
  const url = new URL(appUrl.href);
  url.searchParams.set("onetimetoken", sessionToken);
  return url;
}

/** The app link to load after a login: with the one-time token, or as is when the jar holds the session. */
function withProof(appUrl: URL, proof: Proof): URL {
  return "sessionToken" in proof ? withToken(appUrl, proof.sessionToken) : appUrl;
}

/** One login attempt's state: the client, the input, and the app link. */
class Login {
  readonly #client: OktaClient;
  readonly #input: AuthenticateInput;
  readonly #appUrl: URL;
  readonly #debug: (line: string) => void;
  readonly #factorContext: FactorContext;
  /** An Okta HTML page was loaded whole: it would have set the DT cookie if Okta sets one. */
  #pageLoaded = false;

  constructor(client: OktaClient, input: AuthenticateInput, appUrl: URL) {
    this.#client = client;
    this.#input = input;
    this.#appUrl = appUrl;
    this.#debug = input.debug ?? (() => {});
    const context: FactorContext = { prompter: input.prompter, debug: this.#debug };
    if (input.pollIntervalMs !== undefined) context.pollIntervalMs = input.pollIntervalMs;
    if (input.pushTimeoutMs !== undefined) context.pushTimeoutMs = input.pushTimeoutMs;
    if (input.mfa.duoDevice !== undefined) context.duoDevice = input.mfa.duoDevice;
    context.fetch = input.fetch;
    if (input.openSecurityKey) context.openSecurityKey = input.openSecurityKey;
    this.#factorContext = context;
  }

  /** The app link path as the user configured it, for messages (never the query). */
  get path(): string {
    return this.#appUrl.pathname.replace(/^\//, "");
  }

  async loadAppPage(url: URL, retry: boolean): Promise<AppPage> {
    // A redirect to the sign-in page already says "no session". The page itself is only worth
    // fetching for the DT (device token) cookie Okta sets there, which "remember this device" needs.
    const stopAt = this.#client.jar.get("DT") === undefined ? undefined : isSignInPage;
    if (!stopAt) this.#pageLoaded = true;
    const answer: HtmlResult = await this.#client.getHtml(url, stopAt ? { retry, stopAt } : { retry });
    if (answer.stopped) return { kind: "signin" };
    return parseAppPage(answer.body, answer.status);
  }

  /**
   * Turns an app page into the SAML response, doing an MFA step-up when asked. Returns undefined
   * for the sign-in page when `fresh` is false (the stored session is over); throws otherwise.
   */
  async settle(first: AppPage, fresh: boolean): Promise<string | undefined> {
    let page = first;
    let stepUps = 0;
    for (;;) {
      switch (page.kind) {
        case "saml":
          return page.samlResponse;
        case "signin":
          if (!fresh && stepUps === 0) return undefined;
          throw this.signinError();
        case "error":
          throw this.#pageError(page.status);
        case "stepup": {
          if (stepUps++ > 0) {
            throw new AppError(`Okta asked for MFA again on the AWS app link "${this.path}"`, {
              hint: "check the app's sign-on policy with your Okta admin",
            });
          }
          this.#debug("okta: the app asks for an MFA step-up");
          const proof = await this.#stepUp(page.stateToken);
          if (proof === undefined) {
            if (!fresh) return undefined;
            throw this.signinError();
          }
          page = await this.loadAppPage(withProof(this.#appUrl, proof), false);
          this.#debug(`okta: app link after the step-up: ${page.kind}`);
        }
      }
    }
  }

  /** Password login through the Authn API; returns the session token (or says the jar has the session). */
  async passwordLogin(): Promise<Proof> {
    await this.#getDeviceToken();
    const password = await this.#input.password();
    const start = () => {
      const request: Parameters<typeof primaryAuth>[1] = { username: this.#input.username, password };
      if (this.#input.deviceToken) request.deviceToken = this.#input.deviceToken;
      return primaryAuth(this.#client, request);
    };
    return this.#complete(await start(), start);
  }

  /**
   * Okta remembers a device (the `rememberDevice=true` of the MFA verify) by its `DT` cookie, which
   * only its HTML pages set. Without one, the first login's MFA could not be remembered and the
   * second login would ask again: so a client that has none loads the sign-in page first (once;
   * the cookie is stored with the session).
   */
  async #getDeviceToken(): Promise<void> {
    if (this.#client.jar.get("DT") !== undefined || this.#pageLoaded) return;
    this.#pageLoaded = true;
    try {
      const answer = await this.#client.getHtml("/login/login.htm", { retry: false });
      this.#debug(`okta: sign-in page for a device token: HTTP ${answer.status}`);
    } catch (error) {
      // Only a convenience: the login itself decides whether Okta can be reached.
      this.#debug(`okta: no device token: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  signinError(): AppError {
    return new AppError("Okta answered the AWS app link with its sign-in page", {
      hint: `check aws_saml_url ("${this.path}")`,
    });
  }

  result(samlResponse: string, reusedSession: boolean): ClassicLoginResult {
    const result: ClassicLoginResult = { samlResponse, reusedSession };
    const sessionCookie = this.#client.jar.get("sid");
    if (sessionCookie) result.sessionCookie = sessionCookie;
    const deviceToken = this.#client.jar.get("DT");
    if (deviceToken) result.deviceToken = deviceToken;
    return result;
  }

  /** Resumes the step-up transaction and verifies MFA; undefined when Okta has no transaction. */
  async #stepUp(stateToken: string): Promise<Proof | undefined> {
    const transaction = await resumeTransaction(this.#client, stateToken);
    if (transaction.status === "UNAUTHENTICATED") return undefined;
    return this.#complete(transaction, undefined);
  }

  /** Drives a transaction to SUCCESS and returns its proof; every other end is an AppError. */
  async #complete(
    first: AuthnResponse,
    restart: (() => Promise<AuthnResponse>) | undefined,
  ): Promise<Proof> {
    const user = this.#input.username;
    let response = first;
    let restarted = false;
    for (let step = 0; step < MAX_TRANSACTION_STEPS; step++) {
      const factors = response._embedded?.factors;
      this.#debug(
        `okta: authn status ${response.status}${factors ? ` (${factors.length} factors)` : ""}`,
      );
      switch (response.status) {
        case "SUCCESS":
          if (response.sessionToken) return { sessionToken: response.sessionToken };
          if (opensSessionCookie(response) && this.#client.jar.get("sid")) return { sessionCookie: true };
          throw new AppError("Okta reported success without a session token", {
            hint: "run the command again",
          });
        case "MFA_REQUIRED": {
          if (this.#input.interactive === false) throw new InteractionNeededError("MFA");
          const factor = await chooseFactor(factors ?? [], this.#input.mfa, this.#input.prompter);
          response = await verifyFactor(this.#client, response, factor, this.#factorContext);
          break;
        }
        case "MFA_CHALLENGE": {
          if (this.#input.interactive === false) throw new InteractionNeededError("MFA");
          const factor = response._embedded?.factor;
          if (!factor) throw unexpectedStatus(response.status);
          response = await verifyFactor(this.#client, response, factor, this.#factorContext);
          break;
        }
        case "PASSWORD_WARN":
          this.#input.prompter.say(passwordWarning(user, response));
          response = await this.#skip(response);
          break;
        case "LOCKED_OUT":
          throw new AppError(`Okta account "${user}" is locked out`, {
            hint: "unlock it from Okta's sign-in page or ask your Okta admin",
          });
        case "PASSWORD_EXPIRED":
          throw new AppError(`the Okta password for "${user}" has expired`, {
            hint: 'change it in the browser, then run "aws-okta add"',
          });
        case "MFA_ENROLL":
        case "MFA_ENROLL_ACTIVATE":
          throw new AppError("Okta requires enrolling an MFA factor first", {
            hint: "enroll one in the browser",
          });
        case "UNAUTHENTICATED":
          if (restart && !restarted) {
            restarted = true;
            response = await restart();
            break;
          }
          throw new AppError("Okta ended the login transaction", { hint: "run the command again" });
        default:
          throw unexpectedStatus(response.status);
      }
    }
    throw new AppError("Okta's login did not finish", {
      hint: "sign in once in the browser, then try again",
    });
  }

  async #skip(response: AuthnResponse): Promise<AuthnResponse> {
    const href = response._links?.skip?.href;
    if (!href || !response.stateToken) throw unexpectedStatus(response.status);
    try {
      return (await this.#client.postJson<AuthnResponse>(href, { stateToken: response.stateToken })).body;
    } catch (error) {
      throw expiredTransaction(error) ?? error;
    }
  }

  #pageError(status: number): AppError {
    if (status === 403) {
      return new AppError(`the Okta app "${this.path}" is not assigned to "${this.#input.username}"`, {
        hint: "ask your Okta admin to assign it, or check aws_saml_url",
      });
    }
    if (status === 404) {
      return new AppError(`Okta has no app at "${this.path}"`, { hint: "check aws_saml_url" });
    }
    return new AppError(`Okta answered the AWS app link "${this.path}" with HTTP ${status}`, {
      hint: status >= 500 ? "Okta is failing; try again later" : "check aws_saml_url",
    });
  }
}

function passwordWarning(user: string, response: AuthnResponse): string {
  const policy = response._embedded?.policy as { expiration?: { passwordExpireDays?: unknown } } | undefined;
  const days = policy?.expiration?.passwordExpireDays;
  const when = typeof days === "number" ? (days <= 0 ? "today" : `in ${days} days`) : "soon";
  return `The Okta password for "${user}" expires ${when}; change it in the browser`;
}

function unexpectedStatus(status: string): AppError {
  return new AppError(`Okta answered with status "${status}", which aws-okta cannot handle`, {
    hint: "sign in once in the browser, then run the command again",
  });
}

/** Okta's sign-in pages (Classic `/login/login.htm`, `/login/default`; Identity Engine `/signin`). */
function isSignInPage(url: URL): boolean {
  return /^\/(login\/login\.htm|login\/default|signin)(\/|$)/.test(url.pathname);
}
