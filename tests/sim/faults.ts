/**
 * Fault injection: canned answers (proxy error pages, rate limits, STS throttling) and delays,
 * applied before normal handling to requests whose count key matches.
 *
 * @module
 */

import { newErrorId, newRequestId } from "./ids.ts";

/** One injected fault. */
export interface SimFault {
  /** Count key to match, e.g. "POST /api/v1/authn" or "sts:AssumeRole". */
  match: string;
  /** How many requests it applies to; every matching request when unset. */
  times?: number;
  /** Status to answer with. When unset, the fault only delays and normal handling follows. */
  status?: number;
  /** Response body (default empty). */
  body?: string;
  /** Content-Type of the body (default text/plain when there is a body). */
  contentType?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Wait this long before answering (or before normal handling). */
  delayMs?: number;
}

/**
 * Takes the first fault matching `key` (using up one of its `times`), or undefined. Exhausted
 * faults are removed so `state.faults` shows what is still pending.
 */
export function takeFault(faults: SimFault[], key: string): SimFault | undefined {
  const index = faults.findIndex((f) => f.match === key && (f.times === undefined || f.times > 0));
  if (index < 0) return undefined;
  const fault = faults[index]!;
  if (fault.times !== undefined) {
    fault.times -= 1;
    if (fault.times <= 0) faults.splice(index, 1);
  }
  return fault;
}

/** The response a fault answers with (only for faults with a status). */
export function faultResponse(fault: SimFault): Response {
  const headers = new Headers(fault.headers);
  if (fault.body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", fault.contentType ?? "text/plain; charset=utf-8");
  }
  return new Response(fault.body ?? null, { status: fault.status ?? 500, headers });
}

/** Okta's 429 E0000047 with the X-Rate-Limit-* headers (reset one minute ahead). */
export function oktaRateLimitFault(match: string, times = 1): SimFault {
  const reset = Math.floor(Date.now() / 1000) + 60;
  return {
    match,
    times,
    status: 429,
    contentType: "application/json",
    headers: {
      "X-Rate-Limit-Limit": "600",
      "X-Rate-Limit-Remaining": "0",
      "X-Rate-Limit-Reset": String(reset),
    },
    body: JSON.stringify({
      errorCode: "E0000047",
      errorSummary: "API call exceeded rate limit due to too many requests.",
      errorLink: "E0000047",
      errorId: newErrorId(),
      errorCauses: [],
    }),
  };
}

/** An HTML error page from a proxy in front of Okta or STS (default 502). */
export function proxyErrorFault(match: string, status = 502, times = 1): SimFault {
  return {
    match,
    times,
    status,
    contentType: "text/html",
    body: `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n` +
      `<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  };
}

/** STS `Throttling` / "Rate exceeded" (HTTP 400), e.g. for match "sts:AssumeRole". */
export function stsThrottlingFault(match: string, times = 1): SimFault {
  const requestId = newRequestId();
  return {
    match,
    times,
    status: 400,
    contentType: "text/xml",
    headers: { "x-amzn-RequestId": requestId },
    body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n` +
      `  <Error>\n    <Type>Sender</Type>\n    <Code>Throttling</Code>\n    <Message>Rate exceeded</Message>\n  </Error>\n` +
      `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  };
}
