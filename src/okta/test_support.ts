/**
 * Test-only helpers for the okta/ unit tests: a loopback HTTP server that records requests, fixture
 * loading (with the reference org's origin swapped for the server's), a scripted prompter, and the
 * project fetch wrapping the global one. Not imported by production code.
 *
 * @module
 */

import { createFetch, type Fetch } from "../net/fetch.ts";
import type { OktaPrompter } from "./prompter.ts";

/** A request the test server received. */
export interface RecordedRequest {
  /** HTTP method. */
  method: string;
  /** Path without the query. */
  path: string;
  /** Query parameters. */
  query: URLSearchParams;
  /** Request headers. */
  headers: Headers;
  /** Parsed JSON body, or the raw text when it is not JSON (undefined for no body). */
  body: unknown;
}

/** A running loopback server. */
export interface TestServer {
  /** Its origin, e.g. http://127.0.0.1:41234 */
  origin: URL;
  /** Every request so far, in order. */
  requests: RecordedRequest[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Answers one request; gets the recorded form too. */
export type TestHandler = (request: RecordedRequest, origin: URL) => Response | Promise<Response>;

/** Starts a server on 127.0.0.1 with a free port. */
export function startServer(handler: TestHandler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  return new Promise((resolve) => {
    let origin: URL;
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: ({ port }) => {
        origin = new URL(`http://127.0.0.1:${port}`);
        resolve({ origin, requests, close: () => server.shutdown() });
      },
    }, async (request) => {
      const url = new URL(request.url);
      const text = await request.text();
      let body: unknown = undefined;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      const recorded: RecordedRequest = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
      };
      requests.push(recorded);
      return await handler(recorded, origin);
    });
  });
}

const FIXTURES = new URL("../../tests/fixtures/okta/", import.meta.url);
/** The org the reference (and so the fixtures) uses. */
const REFERENCE_ORIGIN = "https://acme.okta.com";

/** A fixture file's text, with the reference origin replaced by `origin` when given. */
export async function fixture(name: string, origin?: URL): Promise<string> {
  const text = await Deno.readTextFile(new URL(name, FIXTURES));
  return origin ? text.replaceAll(REFERENCE_ORIGIN, origin.origin) : text;
}

/** A parsed JSON fixture (origin replaced). */
export async function jsonFixture<T = Record<string, unknown>>(name: string, origin?: URL): Promise<T> {
  return JSON.parse(await fixture(name, origin)) as T;
}

/** A JSON response from a fixture. */
export async function jsonResponse(
  name: string,
  origin: URL,
  status = 200,
  headers: Record<string, string> = {},
): Promise<Response> {
  return new Response(await fixture(name, origin), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** An HTML response from a fixture. */
export async function htmlResponse(
  name: string,
  status = 200,
  headers: HeadersInit = {},
): Promise<Response> {
  const all = new Headers(headers);
  all.set("content-type", "text/html;charset=utf-8");
  return new Response(await fixture(name), { status, headers: all });
}

/** The project fetch over the global one, as production builds it (no retries of its own). */
export function testFetch(debug?: (line: string) => void): Fetch {
  return createFetch(debug ? { debug, timeoutMs: 10_000 } : { timeoutMs: 10_000 });
}

/** A prompter that answers from scripts and records what was asked and said. */
export interface ScriptedPrompter extends OktaPrompter {
  /** Questions asked, in order (text, secret and choose alike). */
  asked: string[];
  /** Lines said. */
  said: string[];
  /** The options of every choose call. */
  choices: string[][];
}

/** Builds a {@linkcode ScriptedPrompter}; running out of answers fails the test. */
export function scriptedPrompter(
  answers: { text?: string[]; secret?: string[]; choose?: number[] } = {},
): ScriptedPrompter {
  const text = [...(answers.text ?? [])];
  const secret = [...(answers.secret ?? [])];
  const choose = [...(answers.choose ?? [])];
  const prompter: ScriptedPrompter = {
    asked: [],
    said: [],
    choices: [],
    text(question) {
      prompter.asked.push(question);
      const answer = text.shift();
      if (answer === undefined) return Promise.reject(new Error(`unexpected text prompt: ${question}`));
      return Promise.resolve(answer);
    },
    secret(question) {
      prompter.asked.push(question);
      const answer = secret.shift();
      if (answer === undefined) return Promise.reject(new Error(`unexpected secret prompt: ${question}`));
      return Promise.resolve(answer);
    },
    choose(question, options) {
      prompter.asked.push(question);
      prompter.choices.push([...options]);
      const answer = choose.shift();
      if (answer === undefined) return Promise.reject(new Error(`unexpected choice: ${question}`));
      return Promise.resolve(answer);
    },
    say(message) {
      prompter.said.push(message);
    },
  };
  return prompter;
}

/** Everything an error shows or carries, for "no secret leaks" checks. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(current.message, String(current), (current as { hint?: string }).hint ?? "");
    current = current.cause;
  }
  return parts.join("\n");
}
