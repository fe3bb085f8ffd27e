/**
 * AWS credential types and the small ARN and partition helpers every other part of `aws/` (and the
 * use cases) needs. Pure, no npm imports: this module sits on the credential cache-hit path.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { formatTimestamp, parseTimestamp } from "../timestamp.ts";

/** Temporary AWS credentials as STS hands them out. */
export interface AwsCredentials {
  /** `ASIA…` access key id. */
  accessKeyId: string;
  /** The secret access key (a secret: never print or log it). */
  secretAccessKey: string;
  /** The session token (a secret: never print or log it). */
  sessionToken: string;
  /** When STS stops accepting these credentials. */
  expiration: Date;
  /** `AssumedRoleUser.Arn`, e.g. `arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com`. */
  assumedRoleArn?: string;
}

/** The AWS partitions this tool can log in to. */
export type Partition = "aws" | "aws-us-gov" | "aws-cn";

const PARTITIONS: readonly Partition[] = ["aws", "aws-us-gov", "aws-cn"];

/**
 * The partition of an ARN (from its second field) or of a region name (`us-gov-*` → `aws-us-gov`,
 * `cn-*` → `aws-cn`, anything else → `aws`).
 */
export function partitionOf(arnOrRegion: string): Partition {
  if (arnOrRegion.startsWith("arn:")) {
    const partition = arnOrRegion.split(":")[1] ?? "";
    if ((PARTITIONS as readonly string[]).includes(partition)) return partition as Partition;
    throw new AppError(`unsupported AWS partition "${partition}" in "${arnOrRegion}"`, {
      hint: `aws-okta supports the partitions ${PARTITIONS.map((p) => `"${p}"`).join(", ")}`,
    });
  }
  if (arnOrRegion.startsWith("us-gov-")) return "aws-us-gov";
  if (arnOrRegion.startsWith("cn-")) return "aws-cn";
  return "aws";
}

/** The fields of an ARN: `arn:partition:service:region:account:resource`. */
function splitArn(arn: string): { service: string; account: string; resource: string } {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn" || !parts[1] || !parts[2]) {
    throw new AppError(`invalid ARN "${arn}"`, {
      hint: 'an ARN looks like "arn:aws:iam::111111111111:role/Name"',
    });
  }
  // The resource part may itself hold colons, so everything after the fifth colon belongs to it.
  return { service: parts[2], account: parts[4] ?? "", resource: parts.slice(5).join(":") };
}

/**
 * The role name in a role ARN (`arn:aws:iam::1:role/path/Name` → `Name`) or in an assumed-role ARN
 * (`arn:aws:sts::1:assumed-role/Name/session` → `Name`), as aws-okta's AWS_OKTA_ASSUMED_ROLE.
 */
export function roleNameOf(roleArn: string): string {
  const { service, resource } = splitArn(roleArn);
  const segments = resource.split("/");
  let name: string | undefined;
  if (service === "iam" && segments[0] === "role") name = segments.at(-1);
  if (service === "sts" && segments[0] === "assumed-role") name = segments[1];
  if (!name || segments.length < 2) {
    throw new AppError(`"${roleArn}" is not a role ARN`, {
      hint: 'a role ARN looks like "arn:aws:iam::111111111111:role/Name"',
    });
  }
  return name;
}

/** The 12-digit account id in an ARN. */
export function accountOf(arn: string): string {
  const { account } = splitArn(arn);
  if (!/^\d{12}$/.test(account)) {
    throw new AppError(`ARN "${arn}" names no account`, {
      hint: "the fifth field of an ARN is the 12-digit account id",
    });
  }
  return account;
}

/**
 * Parses an STS or credential-cache timestamp: ISO 8601 UTC with or without fractional seconds
 * (`2024-05-01T13:00:00Z`, `2024-05-01T13:00:00.000Z`) or with a numeric offset.
 */
export function parseExpiration(text: string): Date {
  // Date.parse alone accepts many loose forms ("May 1 2024"); parseTimestamp insists on RFC 3339,
  // so a corrupt value is caught instead of turning into a wrong expiry.
  const ms = parseTimestamp(text.trim());
  if (Number.isNaN(ms)) {
    throw new AppError(`invalid expiration time "${text}"`, {
      hint: 'expected an RFC 3339 UTC time such as "2024-05-01T13:00:00Z"',
    });
  }
  return new Date(ms);
}

/** RFC 3339 UTC without milliseconds (`2024-05-01T13:00:00Z`), the form the AWS CLI and aws-okta print. */
export function formatExpiration(date: Date): string {
  return formatTimestamp(date.getTime());
}
