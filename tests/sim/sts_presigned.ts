/**
 * GetCallerIdentity through a presigned URL (query-string SigV4), the request EKS's
 * aws-iam-authenticator replays from a `k8s-aws-v1.` token: the signature, the credentials, their
 * expiry and the signed headers (`x-k8s-aws-id`) are checked as STS checks them.
 *
 * STS accepts such a URL for 15 minutes after X-Amz-Date, whatever X-Amz-Expires says; EKS relies
 * on that (tokens are signed with X-Amz-Expires=60 and used for 15 minutes).
 *
 * @module
 */

import { canonicalRequest, parseAmzDate, sha256Hex, signature } from "./sigv4.ts";
import type { IssuedCredentials } from "./state.ts";
import type { StsAction, StsCall } from "./sts.ts";
import { StsError, stsSuccess } from "./sts_xml.ts";

const WINDOW_MS = 15 * 60_000;

/** Wraps a GetCallerIdentity handler so that presigned requests are served too. */
export function withPresignedUrls(headerSigned: StsAction): StsAction {
  return async (call) => {
    if (!call.ctx.url.searchParams.has("X-Amz-Signature")) return await headerSigned(call);
    const credentials = await verifyPresigned(call, "sts");
    return stsSuccess("GetCallerIdentity", {
      Arn: credentials.assumedRoleArn,
      UserId: credentials.assumedRoleId,
      Account: credentials.account,
    }, call.requestId);
  };
}

/**
 * Checks a presigned request (query-string SigV4) scoped to `service` and returns the caller's
 * credentials, or throws the error AWS answers.
 */
export async function verifyPresigned(call: StsCall, service: string): Promise<IssuedCredentials> {
  const query = new URLSearchParams(call.ctx.url.search);
  const { state } = call.ctx;
  const denied = (message: string) => new StsError(403, "SignatureDoesNotMatch", message);
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") throw denied("Unsupported algorithm");
  const credential = (query.get("X-Amz-Credential") ?? "").split("/");
  const [accessKeyId, date, region, scoped, terminator] = credential;
  if (credential.length !== 5 || scoped !== service || terminator !== "aws4_request" || !region || !date) {
    throw new StsError(400, "IncompleteSignature", "Invalid X-Amz-Credential");
  }
  const amzDate = query.get("X-Amz-Date") ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== date) {
    throw new StsError(400, "IncompleteSignature", "Invalid X-Amz-Date");
  }
  const realNow = Date.now();
  if (signedAt + WINDOW_MS < realNow) throw new StsError(403, "ExpiredToken", "Request has expired");
  if (signedAt > realNow + WINDOW_MS) throw denied("Signature not yet current");

  const credentials = state.credentials.get(accessKeyId!);
  if (!credentials || query.get("X-Amz-Security-Token") !== credentials.sessionToken) {
    throw new StsError(
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    );
  }
  if (credentials.expiresAt <= state.now()) {
    throw new StsError(400, "ExpiredToken", "The security token included in the request is expired");
  }

  const signedHeaders = (query.get("X-Amz-SignedHeaders") ?? "").split(";").filter(Boolean);
  if (!signedHeaders.includes("host")) throw denied("Host must be signed");
  for (const name of signedHeaders) {
    if (!call.ctx.req.headers.has(name)) throw denied(`Signed header "${name}" is missing`);
  }
  const unsigned = call.ctx.url.search.slice(1).split("&").filter((part) =>
    !part.startsWith("X-Amz-Signature=")
  );
  const canonical = canonicalRequest({
    method: call.ctx.req.method,
    pathname: call.ctx.url.pathname,
    search: unsigned.join("&"),
    headers: call.ctx.req.headers,
    signedHeaders,
    payloadHash: await sha256Hex(call.body),
  });
  const expected = await signature(
    credentials.secretAccessKey,
    amzDate,
    { date, region, service },
    canonical,
  );
  if (expected !== query.get("X-Amz-Signature")) {
    throw denied(
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  return credentials;
}
