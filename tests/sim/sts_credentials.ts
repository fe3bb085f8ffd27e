/**
 * Issuing STS session credentials and rendering them (Credentials, AssumedRoleUser).
 *
 * @module
 */

import { newAccessKeyId, newSecretAccessKey, newStsSessionToken, roleUniqueId } from "./ids.ts";
import type { IssuedCredentials, SimState } from "./state.ts";

/** STS timestamps have no milliseconds: `2024-05-01T13:00:00Z`. */
export function stsTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Partition, account and role name of a role ARN (the name drops any IAM path). */
export function parseRoleArn(roleArn: string): { partition: string; account: string; roleName: string } {
  const parts = roleArn.split(":");
  const resource = parts.slice(5).join(":");
  const roleName = resource.split("/").pop() ?? resource;
  return { partition: parts[1] ?? "aws", account: parts[4] ?? "", roleName };
}

/** Inputs of {@linkcode issueCredentials}. */
export interface IssueInput {
  /** Issuing action. */
  action: IssuedCredentials["action"];
  /** Role assumed. */
  roleArn: string;
  /** Session name. */
  roleSessionName: string;
  /** Requested duration. */
  durationSeconds: number;
  /** Upper bound of the expiry (epoch ms), e.g. SessionNotOnOrAfter. */
  capAt?: number;
  /** Extra record fields. */
  extra?: Pick<
    IssuedCredentials,
    "callerAccessKeyId" | "subject" | "principalArn" | "externalId" | "sourceIdentity"
  >;
}

/** Creates, records and returns new session credentials. */
export function issueCredentials(state: SimState, input: IssueInput): IssuedCredentials {
  const now = state.now();
  const issuedAt = Math.floor(now / 1000) * 1000;
  let expiresAt = issuedAt + input.durationSeconds * 1000;
  if (input.capAt !== undefined) expiresAt = Math.min(expiresAt, Math.floor(input.capAt / 1000) * 1000);
  const { partition, account, roleName } = parseRoleArn(input.roleArn);
  const credentials: IssuedCredentials = {
    accessKeyId: newAccessKeyId(),
    secretAccessKey: newSecretAccessKey(),
    sessionToken: newStsSessionToken(),
    issuedAt,
    expiresAt,
    action: input.action,
    roleArn: input.roleArn,
    roleSessionName: input.roleSessionName,
    assumedRoleArn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${input.roleSessionName}`,
    assumedRoleId: `${roleUniqueId(input.roleArn)}:${input.roleSessionName}`,
    account,
    durationSeconds: input.durationSeconds,
    ...input.extra,
  };
  state.credentials.set(credentials.accessKeyId, credentials);
  return credentials;
}

/** The `Credentials` element. */
export function credentialsXml(c: IssuedCredentials): Record<string, unknown> {
  return {
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: stsTime(c.expiresAt),
  };
}

/** The `AssumedRoleUser` element. */
export function assumedRoleUserXml(c: IssuedCredentials): Record<string, unknown> {
  return { AssumedRoleId: c.assumedRoleId, Arn: c.assumedRoleArn };
}
