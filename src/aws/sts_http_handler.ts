/**
 * A smithy `HttpHandler` that sends the AWS SDK's requests through the project's {@linkcode Fetch},
 * so STS calls get the same proxy, CA bundle, timeout and redacted debug log as every other call.
 * It also remembers what the last response looked like (status, AWS error code and message), so
 * errors can be explained from the wire rather than from the SDK's renamed exception classes.
 *
 * Written against the shapes of `@smithy/types` (HttpRequest, HttpResponse) without importing them:
 * this module must stay free of static npm imports (htmlparser2 is loaded only to read an AWS error).
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Fetch } from "../net/fetch.ts";

/** The parts of smithy's `HttpRequest` this handler reads. */
export interface SmithyHttpRequest {
  /** HTTP method. */
  method: string;
  /** `https:` or `http:`. */
  protocol: string;
  /** Host name without port. */
  hostname: string;
  /** Port, when not the scheme's default. */
  port?: number | undefined;
  /** Path, starting with "/". */
  path: string;
  /** Query parameters; a list value repeats the key, null means a key without value. */
  query?: Record<string, string | string[] | null> | undefined;
  /** Request headers. */
  headers: Record<string, string>;
  /** Request body (the AWS Query protocol sends a form-encoded string). */
  body?: unknown;
  /** URL fragment (unused by AWS, kept for completeness). */
  fragment?: string | undefined;
}

/** The response shape smithy's middleware expects (`@smithy/types` HttpResponse). */
export interface SmithyHttpResponse {
  /** HTTP status. */
  statusCode: number;
  /** Status text. */
  reason?: string;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /** The whole body, already read. */
  body: Uint8Array;
}

/** What the handler learned from the last response it received. */
export interface StsWireResponse {
  /** HTTP status. */
  status: number;
  /** Whether the body looks like an AWS XML document (a proxy's HTML page does not). */
  awsXml: boolean;
  /** `Error/Code` of an AWS error body. */
  code?: string;
  /** `Error/Message` of an AWS error body, entities decoded. */
  message?: string;
  /** `RequestId` (or the x-amzn-RequestId header), for support cases. */
  requestId?: string;
}

/** A smithy-compatible request handler on top of our fetch stack. */
export class FetchRequestHandler {
  /** Read by smithy to pick header casing and HTTP version behaviour. */
  readonly metadata = { handlerProtocol: "http/1.1" };
  /** How many HTTP requests were sent (retries included). */
  requests = 0;
  /** The last response received, if any. */
  last: StsWireResponse | undefined;
  /** The fetch stack's error when a request got no answer (timeout, refused, DNS, TLS). */
  transportError: AppError | undefined;
  readonly #fetch: Fetch;

  /** Wraps `fetch`; every request the SDK makes goes through it. */
  constructor(fetch: Fetch) {
    this.#fetch = fetch;
  }

  /** Sends one request and reads the whole answer. */
  async handle(
    request: SmithyHttpRequest,
    options: { abortSignal?: unknown } = {},
  ): Promise<{ response: SmithyHttpResponse }> {
    const url = requestUrl(request);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      // fetch derives Host and Content-Length from the URL and body itself; both equal what the
      // SDK signed, and Deno rejects a hand-set Content-Length that disagrees with the body.
      const lower = name.toLowerCase();
      if (lower === "host" || lower === "content-length") continue;
      headers.set(name, value);
    }
    const init: RequestInit = { method: request.method, headers };
    if (request.method !== "GET" && request.method !== "HEAD" && request.body != null) {
      init.body = requestBody(request.body);
    }
    if (options.abortSignal instanceof AbortSignal) init.signal = options.abortSignal;

    this.requests++;
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // The fetch stack already waited out its timeout or saw the connection fail; the SDK would
      // classify that as transient (through the error's cause) and try twice more, tripling a 30 s
      // wait. Hand the SDK a cause-less error it will not retry, and keep ours for the caller.
      this.transportError = error;
      throw new Error("transport failure");
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      // The fetch stack words its own timeouts and broken answers.
      if (error instanceof AppError) throw error;
      const what = error instanceof DOMException && error.name === "TimeoutError"
        ? "did not finish its answer in time"
        : "broke off its answer";
      throw new AppError(`${new URL(url).host} ${what}`, {
        hint: "check your network or proxy settings (HTTPS_PROXY, NO_PROXY) and try again",
        cause: error,
      });
    }
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    this.last = await describeResponse(response.status, body, response.headers);
    return {
      response: { statusCode: response.status, reason: response.statusText, headers: responseHeaders, body },
    };
  }

  /** Part of smithy's HttpHandler interface; this handler has no configuration to change. */
  updateHttpClientConfig(_key: never, _value: never): void {}

  /** Part of smithy's HttpHandler interface. */
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Part of smithy's HttpHandler interface; nothing to release. */
  destroy(): void {}
}

/** Builds the request URL from smithy's parts. */
export function requestUrl(request: SmithyHttpRequest): string {
  const port = request.port ? `:${request.port}` : "";
  const path = request.path.startsWith("/") ? request.path : `/${request.path}`;
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request.query ?? {}).sort(([a], [b]) => a < b ? -1 : 1)) {
    if (value === null) pairs.push(rfc3986(key));
    else {for (const item of Array.isArray(value) ? value : [value]) {
        pairs.push(`${rfc3986(key)}=${rfc3986(item)}`);
      }}
  }
  const query = pairs.length > 0 ? `?${pairs.join("&")}` : "";
  const fragment = request.fragment ? `#${request.fragment}` : "";
  return `${request.protocol}//${request.hostname}${port}${path}${query}${fragment}`;
}

/** Percent-encoding as SigV4 canonicalizes it (encodeURIComponent leaves !'()* raw). */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function requestBody(body: unknown): BodyInit {
  if (typeof body === "string") return body;
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice() as Uint8Array<ArrayBuffer>;
  }
  // STS (AWS Query protocol) only ever sends string bodies; anything else means the SDK changed.
  throw new TypeError(`unsupported request body type "${Object.prototype.toString.call(body)}"`);
}

/**
 * Reads status, error code and message from an STS answer. Only an answer that looks like AWS XML is
 * parsed, by htmlparser2 in XML mode (loaded lazily: the SDK that calls this is loaded lazily too).
 */
export async function describeResponse(
  status: number,
  body: Uint8Array,
  headers: Headers,
): Promise<StsWireResponse> {
  const text = new TextDecoder().decode(body.subarray(0, 64 * 1024));
  // The root element of every STS answer ends in "Response" (`<AssumeRoleResponse>`, `<ErrorResponse>`);
  // some AWS front ends answer a bare `<Error>`. A proxy's HTML page matches neither.
  const awsXml = /^\s*(<\?xml[^>]*\?>\s*)?<(\w+:)?\w*(Response|Error)[\s>]/.test(text);
  const wire: StsWireResponse = { status, awsXml };
  const element = awsXml ? await xmlElements(text) : () => undefined;
  const requestId = headers.get("x-amzn-requestid") ?? element("RequestId");
  if (requestId) wire.requestId = requestId;
  if (awsXml && status >= 300) {
    const code = element("Code");
    const message = element("Message");
    if (code) wire.code = code;
    if (message) wire.message = message;
  }
  return wire;
}

/** A lookup of the first element by local name (any namespace prefix), as trimmed text. */
async function xmlElements(xml: string): Promise<(name: string) => string | undefined> {
  const { DomUtils, parseDocument } = await import("htmlparser2");
  const document = parseDocument(xml, { xmlMode: true });
  return (name) => {
    const found = DomUtils.findOne(
      (element) => element.name.replace(/^\w+:/, "") === name,
      document.children,
    );
    return found ? DomUtils.textContent(found).trim() || undefined : undefined;
  };
}
