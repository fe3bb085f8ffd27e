/**
 * Turns a failed STS call into one line a user can act on: what AWS refused, for which role, and
 * what to check. Branches on the wire `Error/Code` (the SDK renames modeled errors, e.g.
 * `InvalidIdentityToken` → `InvalidIdentityTokenException`), falling back to the SDK's name.
 *
 * @module
 */

import { AppError, type AppErrorOptions } from "../errors.ts";
import type { StsWireResponse } from "./sts_http_handler.ts";

/** The STS actions this module calls. */
export type StsAction =
  | "AssumeRoleWithSAML"
  | "AssumeRole"
  | "AssumeRoleWithWebIdentity"
  | "GetCallerIdentity";

/** What was being attempted, for the message. */
export interface StsOperation {
  /** The STS action. */
  action: StsAction;
  /** Role being assumed (AssumeRole*). */
  roleArn?: string;
  /** SAML provider ARN (AssumeRoleWithSAML). */
  principalArn?: string;
  /** Base URL of the endpoint called. */
  endpointUrl: string;
  /** Region the request was signed for. */
  signingRegion: string;
  /** Values that must never appear in a message: keys, tokens, the assertion. */
  secrets: readonly string[];
}

/** An STS failure. `code` is the AWS error code (empty when AWS did not answer with one). */
export class StsError extends AppError {
  /** AWS error code, e.g. `AccessDenied`, `ExpiredToken`; "" for transport or non-AWS answers. */
  readonly code: string;
  /** HTTP status of the last answer; 0 when none arrived. */
  readonly status: number;

  constructor(message: string, code: string, status: number, options: AppErrorOptions = {}) {
    super(message, options);
    this.name = "StsError";
    this.code = code;
    this.status = status;
  }
}

/** The SDK error properties read here (ServiceException and friends). */
interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Maps whatever `client.send` threw to an {@linkcode AppError}. AppErrors from our fetch pass through. */
export function stsError(error: unknown, op: StsOperation, wire: StsWireResponse | undefined): AppError {
  if (error instanceof AppError) return error;
  const sdk = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const status = wire?.status ?? sdk.$metadata?.httpStatusCode ?? 0;
  const target = describeTarget(op);

  if (wire && !wire.awsXml && status !== 0) {
    return new StsError(`STS answered HTTP ${status} with a non-AWS body to ${target}`, "", status, {
      hint: `a proxy or firewall may stand between you and ${hostOf(op.endpointUrl)}; ` +
        "check HTTPS_PROXY/NO_PROXY and AWS_ENDPOINT_URL_STS",
      cause: error,
    });
  }

  const code = wire?.code ?? wireCodeOf(String(sdk.name ?? ""));
  const awsMessage = clean(wire?.message ?? String(sdk.message ?? ""), op.secrets);
  const detail = awsMessage ? `: ${awsMessage}` : "";
  const make = (message: string, hint?: string) =>
    new StsError(message, code, status, hint === undefined ? { cause: error } : { hint, cause: error });

  switch (code) {
    case "AccessDenied":
      return make(
        `AWS denied ${target}${detail}`,
        op.action === "AssumeRoleWithSAML"
          ? `check that the role trusts the SAML provider "${op.principalArn}"`
          : op.action === "AssumeRole"
          ? `check the trust policy of "${op.roleArn}" (and external_id)`
          : op.action === "AssumeRoleWithWebIdentity"
          ? `check that "${op.roleArn}" trusts the IAM OIDC provider of the Okta authorization server`
          : "check the permissions of the role",
      );
    case "ValidationError":
      return make(`AWS rejected ${target}${detail}`, validationHint(op.action, awsMessage));
    case "InvalidIdentityToken":
      if (op.action === "AssumeRoleWithWebIdentity") {
        return make(
          `AWS rejected the Okta access token for ${target}${detail}`,
          "check the IAM OIDC provider: its URL must be the authorization server's issuer and its audience the token's",
        );
      }
      return make(
        `AWS rejected the SAML assertion for ${target}${detail}`,
        `check that the IAM SAML provider "${op.principalArn}" holds the metadata of this Okta app`,
      );
    case "IDPRejectedClaim":
      return make(
        `AWS refused the claims of the SAML assertion for ${target}${detail}`,
        `check that the IAM SAML provider "${op.principalArn}" holds the current metadata of this Okta app`,
      );
    case "ExpiredTokenException":
      return make(
        `the ${op.action === "AssumeRoleWithWebIdentity" ? "Okta access token" : "SAML assertion"} for ${
          quoted(op.roleArn)
        } expired before AWS received it`,
        "check that the computer's clock is correct, then log in again",
      );
    case "ExpiredToken":
      return make(
        `AWS refused ${target}: the session credentials sent with it have expired`,
        "log in again to get fresh credentials",
      );
    case "InvalidClientTokenId":
      return make(
        `AWS does not recognise the credentials sent with ${target}${detail}`,
        "the cached session may have been revoked or belong to another partition; log in again",
      );
    case "SignatureDoesNotMatch":
      return make(
        `AWS rejected the request signature of ${target}${detail}`,
        "check that the computer's clock is correct (AWS allows 15 minutes of clock skew)",
      );
    case "RegionDisabledException":
      return make(
        `STS is not activated in region "${op.signingRegion}" for ${target}${detail}`,
        "ask an administrator to activate STS in this region, or set another region for the profile",
      );
    case "Throttling":
    case "ThrottlingException":
    case "RequestLimitExceeded":
      return make(`AWS STS throttled the request: ${target}`, "try again shortly");
  }
  if (status >= 500) {
    return make(
      `AWS STS failed with HTTP ${status}${code ? ` (${code})` : ""} for ${target}${detail}`,
      "the fault is on AWS's side; try again shortly",
    );
  }
  const hint = codeHints[code] ??
    `run with --debug to see the exchange${wire?.requestId ? ` (AWS request id "${wire.requestId}")` : ""}`;
  if (code) return make(`AWS STS rejected ${target}: ${code}${detail}`, hint);
  const reason = clean(error instanceof Error ? error.message : String(error), op.secrets);
  return make(`STS call ${target} failed: ${reason || "unknown error"}`, hint);
}

/** Hints for the rarer codes of §4.3 that need no message of their own. */
const codeHints: Record<string, string> = {
  MalformedPolicyDocument: "check the session policy, policy ARNs and session tags of the profile",
  PackedPolicyTooLarge: "shorten the session policy or use fewer session tags",
  IDPCommunicationError: "AWS could not reach the identity provider; try again shortly",
  MissingAuthenticationToken: "the request was not signed; report this as a bug in aws-okta",
  IncompleteSignature: "the request signature was malformed; report this as a bug in aws-okta",
  InvalidAction: "check AWS_ENDPOINT_URL_STS: the endpoint does not speak STS",
  MissingParameter: "report this as a bug in aws-okta",
};

function describeTarget(op: StsOperation): string {
  return op.roleArn ? `${op.action} for "${op.roleArn}"` : op.action;
}

function quoted(value: string | undefined): string {
  return value === undefined ? "the role" : `"${value}"`;
}

function validationHint(action: StsAction, message: string): string | undefined {
  const setting = action === "AssumeRoleWithSAML" ? "session_ttl" : "assume_role_ttl";
  if (/role chaining/i.test(message)) {
    return "role chaining is capped at 1 hour: set assume_role_ttl (or duration_seconds) to 1h or less";
  }
  if (/MaxSessionDuration/i.test(message)) {
    return `lower ${setting} (or duration_seconds), or raise the role's maximum session duration in IAM`;
  }
  if (/durationSeconds/i.test(message)) {
    return `session lengths must be between 15m and 12h: check ${setting} and duration_seconds`;
  }
  if (/roleSessionName/i.test(message)) {
    return "check role_session_name: 2 to 64 characters of letters, digits and +=,.@-";
  }
  if (/externalId/i.test(message)) return "check external_id: 2 to 1224 characters";
  return undefined;
}

/** The SDK names modeled errors `<Code>Exception`; map those back to the wire codes of §4.3. */
function wireCodeOf(name: string): string {
  const modeled: Record<string, string> = {
    InvalidIdentityTokenException: "InvalidIdentityToken",
    IDPRejectedClaimException: "IDPRejectedClaim",
    IDPCommunicationErrorException: "IDPCommunicationError",
    MalformedPolicyDocumentException: "MalformedPolicyDocument",
    PackedPolicyTooLargeException: "PackedPolicyTooLarge",
  };
  if (name === "Error" || name === "TypeError" || name === "") return "";
  return modeled[name] ?? name;
}

/** One line, no trailing period, no secrets, bounded length. */
export function clean(message: string, secrets: readonly string[]): string {
  let text = message;
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join("***");
  }
  // Long base64 runs are tokens or assertions echoed back (some AWS errors quote the canonical
  // request, which carries X-Amz-Security-Token); never show them.
  // Role names and paths stay readable: they break such runs with "-", "_", "." or ":".
  text = text.replace(/[A-Za-z0-9+/=]{100,}/g, "***");
  text = text.replace(/\s+/g, " ").trim();
  if (text.length > 400) text = `${text.slice(0, 400)}…`;
  return text.replace(/\.+$/, "");
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
