/**
 * STS wire format (§4.2, §4.3): XML success bodies, the ErrorResponse, and the error type the
 * action handlers throw.
 *
 * @module
 */

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Escapes element text (quotes stay literal, as in AWS's messages). */
function xmlText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** An STS error; thrown by action handlers, rendered as an ErrorResponse. */
export class StsError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Error code (`AccessDenied`, `ValidationError`, …). */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "StsError";
    this.status = status;
    this.code = code;
  }
}

/** Renders a flat or nested record as XML elements (undefined values are left out). */
export function xmlElements(fields: Record<string, unknown>, indent = "    "): string {
  let out = "";
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === "object") {
      out += `${indent}<${name}>\n${
        xmlElements(value as Record<string, unknown>, indent + "  ")
      }${indent}</${name}>\n`;
    } else {
      out += `${indent}<${name}>${xmlText(String(value))}</${name}>\n`;
    }
  }
  return out;
}

function headers(requestId: string): Headers {
  return new Headers({ "content-type": "text/xml", "x-amzn-RequestId": requestId });
}

/** `<Action>Response><Action>Result>…</…><ResponseMetadata>…` with status 200. */
export function stsSuccess(action: string, result: Record<string, unknown>, requestId: string): Response {
  const body =
    `<${action}Response xmlns="${NS}">\n  <${action}Result>\n${xmlElements(result)}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`;
  return new Response(body, { status: 200, headers: headers(requestId) });
}

/** The ErrorResponse of §4.3 (Type Sender for 4xx, Receiver for 5xx). */
export function stsErrorResponse(status: number, code: string, message: string, requestId: string): Response {
  const type = status >= 500 ? "Receiver" : "Sender";
  const body = `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${type}</Type>\n` +
    `    <Code>${xmlText(code)}</Code>\n    <Message>${xmlText(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
  return new Response(body, { status, headers: headers(requestId) });
}
