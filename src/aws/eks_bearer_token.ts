/**
 * EKS bearer tokens: `k8s-aws-v1.` + base64url (no padding) of a presigned STS GetCallerIdentity
 * URL whose signature covers the `x-k8s-aws-id` header (the cluster name). This is the token
 * aws-iam-authenticator verifies: it decodes the URL, checks the host, the action and the signed
 * headers, and replays the request to STS with the header to learn who signed it.
 *
 * Pure apart from WebCrypto; no npm imports.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { AwsCredentials } from "./credentials.ts";
import { presignUrl } from "./sigv4.ts";
import { formatTimestamp } from "../timestamp.ts";

/** The prefix aws-iam-authenticator expects. */
export const TOKEN_PREFIX = "k8s-aws-v1.";

/** X-Amz-Expires of the presigned URL, as aws-iam-authenticator and `aws eks get-token` sign it. */
const PRESIGN_EXPIRES_SECONDS = 60;

/** aws-iam-authenticator accepts a token for 15 minutes after X-Amz-Date ... */
const TOKEN_LIFETIME_MS = 15 * 60_000;
/** ... and clients report one minute less, so kubectl asks again before the server would refuse. */
const EXPIRY_MARGIN_MS = 60_000;

/** The ExecCredential API versions kubectl may ask for. */
export const EXEC_CREDENTIAL_VERSIONS = [
  "client.authentication.k8s.io/v1beta1",
  "client.authentication.k8s.io/v1",
] as const;

/** An ExecCredential API version. */
export type ExecCredentialVersion = typeof EXEC_CREDENTIAL_VERSIONS[number];

/** Input of {@linkcode eksToken}. */
export interface EksTokenInput {
  /** The credentials to sign with. */
  creds: AwsCredentials;
  /** The EKS cluster name (or id), signed in as `x-k8s-aws-id`. */
  clusterName: string;
  /** The STS endpoint base URL, e.g. `https://sts.us-west-2.amazonaws.com`. */
  stsUrl: string;
  /** The endpoint's signing region. */
  signingRegion: string;
  /** The signing time. */
  now: Date;
}

/** A token and when kubectl should ask for a new one. */
export interface EksToken {
  /** `k8s-aws-v1.…`. A bearer credential: never log it. */
  token: string;
  /** X-Amz-Date + 15 min − 1 min (and never after the credentials expire). */
  expiration: Date;
}

/** Builds the bearer token for `clusterName`. */
export async function eksToken(input: EksTokenInput): Promise<EksToken> {
  checkClusterName(input.clusterName);
  const base = new URL(input.stsUrl);
  base.pathname = "/";
  base.search = "?Action=GetCallerIdentity&Version=2011-06-15";
  const url = await presignUrl({
    method: "GET",
    url: base,
    headers: { "x-k8s-aws-id": input.clusterName },
    credentials: input.creds,
    region: input.signingRegion,
    service: "sts",
    now: input.now,
    expiresSeconds: PRESIGN_EXPIRES_SECONDS,
  });
  const signedAt = Math.floor(input.now.getTime() / 1000) * 1000;
  const expiration = Math.min(
    signedAt + TOKEN_LIFETIME_MS - EXPIRY_MARGIN_MS,
    input.creds.expiration.getTime(),
  );
  return {
    token: TOKEN_PREFIX +
      new TextEncoder().encode(url.href).toBase64({ alphabet: "base64url", omitPadding: true }),
    expiration: new Date(expiration),
  };
}

/** Refuses an empty cluster name or one with blanks (a usage error, exit code 2). */
export function checkClusterName(name: string): void {
  if (!/^\S{1,255}$/.test(name)) {
    throw new AppError(`invalid cluster name "${name}"`, {
      hint: "use the EKS cluster's name, as in `aws eks list-clusters`",
      exitCode: 2,
    });
  }
}

/** Decodes a token back to its presigned URL. */
export function decodeEksToken(token: string): URL {
  if (!token.startsWith(TOKEN_PREFIX)) throw new AppError(`not an EKS token: missing "${TOKEN_PREFIX}"`);
  const bytes = Uint8Array.fromBase64(token.slice(TOKEN_PREFIX.length), { alphabet: "base64url" });
  return new URL(new TextDecoder().decode(bytes));
}

/**
 * The ExecCredential document kubectl reads from an exec credential plugin, with a trailing
 * newline. `expirationTimestamp` is RFC 3339 UTC without fractional seconds.
 */
export function execCredentialJson(token: EksToken, apiVersion: ExecCredentialVersion): string {
  const document = {
    kind: "ExecCredential",
    apiVersion,
    spec: {},
    status: {
      expirationTimestamp: formatTimestamp(token.expiration.getTime()),
      token: token.token,
    },
  };
  return `${JSON.stringify(document)}\n`;
}

/**
 * The API version kubectl asked for in KUBERNETES_EXEC_INFO (set when the kubeconfig's exec
 * section has `provideClusterInfo` or kubectl is recent enough), else v1beta1, the version every
 * kubectl since 1.11 understands.
 */
export function requestedExecVersion(execInfo: string | undefined): ExecCredentialVersion {
  if (!execInfo) return "client.authentication.k8s.io/v1beta1";
  let apiVersion: unknown;
  try {
    apiVersion = (JSON.parse(execInfo) as { apiVersion?: unknown }).apiVersion;
  } catch {
    throw new AppError("invalid JSON in KUBERNETES_EXEC_INFO", { hint: "unset it, or let kubectl set it" });
  }
  const known = EXEC_CREDENTIAL_VERSIONS.find((version) => version === apiVersion);
  if (known) return known;
  throw new AppError(
    `unsupported ExecCredential apiVersion "${String(apiVersion)}" in KUBERNETES_EXEC_INFO`,
    {
      hint: `set the kubeconfig's exec apiVersion to one of ${EXEC_CREDENTIAL_VERSIONS.join(", ")}`,
    },
  );
}
