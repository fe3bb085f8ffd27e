/**
 * Helpers for the simulator's own tests: start/stop, JSON calls, a tiny cookie jar, decoding the
 * SAML form page independently of the simulator's encoder, and a full login to an app page.
 *
 * @module
 */

import { type Simulator, startSimulator } from "./simulator.ts";
import type { SimApp, SimFactor, SimOptions, SimUser } from "./state.ts";

/** Runs `fn` against a fresh simulator and always closes it. */
export async function withSim(options: SimOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator(options);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** A cookie jar keyed by name (one host only, which is all the tests need). */
export class Jar {
  /** Cookies by name. */
  readonly cookies = new Map<string, string>();

  /** The Cookie header value, or undefined when empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join("; ");
  }

  /** Takes the Set-Cookie headers of a response (Max-Age=0 deletes). */
  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => a.trim().toLowerCase() === "max-age=0")) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** A decoded JSON answer. */
export interface JsonAnswer {
  /** HTTP status. */
  status: number;
  /** Parsed body (any, for terse assertions). */
  // deno-lint-ignore no-explicit-any
  body: any;
  /** Response headers. */
  headers: Headers;
}

/** POSTs JSON (or a raw string) and parses the JSON answer. */
export async function postJson(url: string, body: unknown, jar?: Jar): Promise<JsonAnswer> {
  const headers = new Headers({ "content-type": "application/json", accept: "application/json" });
  const cookie = jar?.header();
  if (cookie) headers.set("cookie", cookie);
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  jar?.absorb(response);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** A page fetched without following redirects. */
export interface PageAnswer {
  /** HTTP status. */
  status: number;
  /** Body text. */
  text: string;
  /** Response headers. */
  headers: Headers;
}

/** GETs a URL without following redirects, sending and updating the jar. */
export async function getPage(url: string, jar?: Jar): Promise<PageAnswer> {
  const headers = new Headers({ accept: "text/html" });
  const cookie = jar?.header();
  if (cookie) headers.set("cookie", cookie);
  const response = await fetch(url, { headers, redirect: "manual" });
  jar?.absorb(response);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Decodes HTML character references (numeric and the common named ones). */
export function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The SAMLResponse of a form page: raw attribute text, decoded base64, and XML. Undefined if absent. */
export function samlFromPage(html: string): { raw: string; base64: string; xml: string } | undefined {
  const match = /<input name="SAMLResponse" type="hidden" value="([^"]*)"\/>/.exec(html);
  if (!match) return undefined;
  const raw = match[1]!;
  const base64 = decodeEntities(raw).replace(/\s+/g, "");
  const xml = new TextDecoder().decode(Uint8Array.fromBase64(base64));
  return { raw, base64, xml };
}

/** A single-role app in account 123456789012. */
export function testApp(overrides: Partial<SimApp> = {}): SimApp {
  return {
    id: "0oaTESTapp000001",
    n: "272",
    label: "AWS Test",
    roles: [{
      roleArn: "arn:aws:iam::123456789012:role/Engineer",
      principalArn: "arn:aws:iam::123456789012:saml-provider/Okta",
    }],
    ...overrides,
  };
}

/** A user with a password, the given factors and one test app. */
export function testUser(overrides: Partial<SimUser> = {}, factors: SimFactor[] = []): SimUser {
  return {
    login: "bob@example.com",
    password: "hunter2",
    id: "00uBOB0000000001",
    factors,
    apps: [testApp()],
    ...overrides,
  };
}

/** Logs in with a password (and a TOTP code if MFA is required) and returns the sessionToken. */
export async function sessionTokenFor(sim: Simulator, user: SimUser, jar?: Jar): Promise<string> {
  const first = await postJson(
    `${sim.url}/api/v1/authn`,
    { username: user.login, password: user.password },
    jar,
  );
  if (first.body.status === "SUCCESS") return first.body.sessionToken;
  if (first.body.status !== "MFA_REQUIRED") throw new Error(`unexpected status ${first.body.status}`);
  const totp = user.factors.find((f) => f.factorType === "token:software:totp");
  if (!totp) throw new Error("sessionTokenFor needs a TOTP factor when MFA is required");
  const factor = first.body._embedded.factors.find((f: { id: string }) => f.id === totp.id);
  const verified = await postJson(
    factor._links.verify.href,
    { stateToken: first.body.stateToken, passCode: totp.code },
    jar,
  );
  if (verified.body.status !== "SUCCESS") throw new Error(`verify answered ${verified.status}`);
  return verified.body.sessionToken;
}

/** Logs in and redeems the sessionToken on the app link; returns the page and the jar (with sid). */
export async function openApp(
  sim: Simulator,
  user: SimUser,
  app: SimApp = user.apps[0]!,
): Promise<{ page: PageAnswer; jar: Jar }> {
  const jar = new Jar();
  const token = await sessionTokenFor(sim, user, jar);
  const page = await getPage(`${sim.url}/home/amazon_aws/${app.id}/${app.n}?onetimetoken=${token}`, jar);
  return { page, jar };
}

/** Splits a text stream into lines (std's TextLineStream is not reachable here). */
export class TextLineStream extends TransformStream<string, string> {
  constructor() {
    let buffer = "";
    super({
      transform(chunk, controller) {
        buffer += chunk;
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) controller.enqueue(line.replace(/\r$/, ""));
      },
      flush(controller) {
        if (buffer) controller.enqueue(buffer);
      },
    });
  }
}
