/**
 * Which STS host to call and which region to sign for, from the profile's region, the role's
 * partition and the usual environment overrides. Pure: the SDK is told the result explicitly so it
 * never looks at ~/.aws/config or the environment itself.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { requireHttpsUnlessLoopback } from "../net/fetch.ts";
import { type Partition, partitionOf } from "./credentials.ts";
import type { EnvReader } from "../env.ts";

/** What {@linkcode stsEndpoint} reads: environment variables and the profile's region. */
export interface StsEndpointInput {
  /** Environment variables (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_STS_REGIONAL_ENDPOINTS, AWS_USE_FIPS_ENDPOINT). */
  env: EnvReader;
  /** The profile's region; undefined → the partition's default endpoint. */
  region?: string | undefined;
}

/** An STS endpoint: the base URL and the SigV4 signing region. */
export interface StsEndpoint {
  /** Base URL, e.g. `https://sts.us-west-2.amazonaws.com`. */
  url: string;
  /** Region the requests are signed for. */
  signingRegion: string;
}

/**
 * Regions that the SDKs sent to the global endpoint before regional endpoints became the default;
 * AWS_STS_REGIONAL_ENDPOINTS=legacy keeps that behaviour for exactly these.
 */
const LEGACY_GLOBAL_REGIONS = new Set([
  "ap-northeast-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "aws-global",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

/** The region each partition signs for when no region is configured. */
const DEFAULT_REGION: Record<Partition, string> = {
  "aws": "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

const GLOBAL: StsEndpoint = { url: "https://sts.amazonaws.com", signingRegion: "us-east-1" };

/**
 * Picks the STS endpoint: AWS_ENDPOINT_URL_STS wins, then AWS_ENDPOINT_URL; otherwise the regional
 * endpoint of `region` (FIPS with AWS_USE_FIPS_ENDPOINT=true; the global one for the classic
 * regions with AWS_STS_REGIONAL_ENDPOINTS=legacy); with no region, the partition of `roleArn`
 * decides: global for `aws`, us-gov-west-1 for `aws-us-gov`, cn-north-1 for `aws-cn`.
 */
export function stsEndpoint(ctx: StsEndpointInput, roleArn?: string): StsEndpoint {
  const region = ctx.region?.trim() || undefined;
  if (region !== undefined && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(region)) {
    throw new AppError(`invalid AWS region "${region}"`, {
      hint: 'a region looks like "us-west-2"; check the region setting of the profile and AWS_REGION',
    });
  }
  const partition = region ? partitionOf(region) : roleArn ? partitionOf(roleArn) : "aws";
  // "aws-global" is the SDKs' pseudo-region for the global endpoint, which signs as us-east-1.
  const signingRegion = region === undefined || region === "aws-global" ? DEFAULT_REGION[partition] : region;

  for (const name of ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]) {
    const value = ctx.env.get(name)?.trim();
    if (value) return { url: customEndpointUrl(name, value), signingRegion };
  }

  const fips = ctx.env.get("AWS_USE_FIPS_ENDPOINT")?.trim().toLowerCase() === "true";
  if (fips) return { url: fipsUrl(partition, signingRegion), signingRegion };
  if (region === undefined) {
    return partition === "aws" ? GLOBAL : { url: regionalUrl(partition, signingRegion), signingRegion };
  }
  const legacy = ctx.env.get("AWS_STS_REGIONAL_ENDPOINTS")?.trim().toLowerCase() === "legacy";
  if (legacy && LEGACY_GLOBAL_REGIONS.has(region)) return GLOBAL;
  if (region === "aws-global") return GLOBAL;
  return { url: regionalUrl(partition, region), signingRegion };
}

function dnsSuffix(partition: Partition): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

function regionalUrl(partition: Partition, region: string): string {
  return `https://sts.${region}.${dnsSuffix(partition)}`;
}

function fipsUrl(partition: Partition, region: string): string {
  // GovCloud's regular STS hosts are already FIPS endpoints; elsewhere FIPS has its own host name.
  if (partition === "aws-us-gov") return regionalUrl(partition, region);
  return `https://sts-fips.${region}.${dnsSuffix(partition)}`;
}

/**
 * An endpoint set by `name` (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_IAM, …), without its trailing
 * slash: http(s) only, and plain http only to this machine, since signed requests carry credentials.
 */
export function customEndpointUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError(`invalid ${name} "${value}"`, {
      hint: 'expected a URL such as "https://sts.us-west-2.amazonaws.com"',
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError(`invalid ${name} "${value}": scheme must be http or https`);
  }
  requireHttpsUnlessLoopback(name, value, url);
  return url.href.replace(/\/$/, "");
}
