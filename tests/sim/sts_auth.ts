/**
 * Authentication of signed STS calls: the Authorization header, the session token, expiry and
 * the SigV4 signature, with the error codes AWS uses for each failure.
 *
 * @module
 */

import { canonicalRequest, parseAmzDate, parseAuthorization, sha256Hex, signature } from "./sigv4.ts";
import type { IssuedCredentials, SimState } from "./state.ts";
import { StsError } from "./sts_xml.ts";

const MAX_SKEW_MS = 15 * 60 * 1000;

function compact(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Verifies a signed request and returns the caller's credentials, or throws the STS error. */
export async function authenticate(
  state: SimState,
  req: Request,
  body: Uint8Array,
): Promise<IssuedCredentials> {
  const header = req.headers.get("authorization");
  if (!header) {
    throw new StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  const auth = parseAuthorization(header);
  if (typeof auth === "string") throw new StsError(400, "IncompleteSignature", auth);
  if (auth.service !== "sts") {
    throw new StsError(
      403,
      "SignatureDoesNotMatch",
      "Credential should be scoped to correct service: 'sts'. ",
    );
  }
  const amzDateText = req.headers.get("x-amz-date");
  const signedAt = amzDateText === null ? undefined : parseAmzDate(amzDateText);
  if (amzDateText === null || signedAt === undefined) {
    throw new StsError(
      400,
      "IncompleteSignature",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }

  const credentials = state.credentials.get(auth.accessKeyId);
  if (!credentials || req.headers.get("x-amz-security-token") !== credentials.sessionToken) {
    throw new StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  }
  if (credentials.expiresAt <= state.now()) {
    throw new StsError(400, "ExpiredToken", "The security token included in the request is expired");
  }

  // Skew is judged against the real clock: clients sign with it, even when a test moves the
  // simulator's clock to expire credentials.
  const realNow = Date.now();
  if (signedAt < realNow - MAX_SKEW_MS) {
    throw new StsError(
      403,
      "SignatureDoesNotMatch",
      `Signature expired: ${amzDateText} is now earlier than ${compact(realNow - MAX_SKEW_MS)} (${
        compact(realNow)
      } - 15 min.)`,
    );
  }
  if (signedAt > realNow + MAX_SKEW_MS) {
    throw new StsError(
      403,
      "SignatureDoesNotMatch",
      `Signature not yet current: ${amzDateText} is still later than ${compact(realNow + MAX_SKEW_MS)} (${
        compact(realNow)
      } + 15 min.)`,
    );
  }

  const url = new URL(req.url);
  // Over HTTP/2 (fetch to a TLS simulator) the host travels as :authority, which Deno.serve does
  // not show as a header; AWS signs it as "host" either way.
  const headers = new Headers(req.headers);
  if (!headers.has("host")) headers.set("host", url.host);
  const canonical = canonicalRequest({
    method: req.method,
    pathname: url.pathname,
    search: url.search,
    headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: await sha256Hex(body),
  });
  const expected = await signature(
    credentials.secretAccessKey,
    amzDateText,
    { date: auth.date, region: auth.region, service: auth.service },
    canonical,
  );
  if (
    expected !== auth.signature || !auth.signedHeaders.includes("host") ||
    auth.date !== amzDateText.slice(0, 8)
  ) {
    throw new StsError(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return credentials;
}
