/**
 * Profile resolution: from a profile name to everything a login needs, following the rules of
 * segmentio/aws-okta and the fiveai fork (`okta_aws_role_arn`), extended to source_profile chains
 * of any depth.
 *
 * - Generic lookup: the profile, then its source_profile chain (nearest first), then `[okta]`.
 * - The root of the chain (no source_profile) holds the SAML role: its `okta_aws_role_arn`, else
 *   its `role_arn`. A source_profile naming its own profile is a loop, as the AWS CLI says.
 * - Every other profile of the chain with `role_arn` (else `okta_aws_role_arn`) is one AssumeRole
 *   hop, assumed from the root outwards.
 * - `credential_process` is never read: it usually points back at aws-okta.
 *
 * @module
 */

import type { AwsConfig } from "./aws_config.ts";
import { ConfigError } from "./config_error.ts";
import { DurationError, parseDuration } from "./duration.ts";

/** One AssumeRole call after the SAML login. */
export interface RoleHop {
  /** The profile this hop produces credentials for. */
  profile: string;
  /** The role to assume. */
  roleArn: string;
  /** role_session_name: the hop profile's own, else the generic lookup from it. */
  roleSessionName?: string;
  /** external_id of the hop profile. */
  externalId?: string;
  /** duration_seconds of the hop profile (900..43200). */
  durationSeconds?: number;
  /** Region of the STS endpoint: the one in effect for the profile before this one in the chain. */
  region?: string;
}

/** A profile resolved to plain data: what the credentials use case needs, nothing read later. */
export interface ResolvedProfile {
  /** The requested profile. */
  name: string;
  /** [name, its source_profile, ..., root]. */
  chain: string[];
  /** okta_account_name. */
  oktaAccount?: string;
  /** Keyring item with the Okta password: "okta-creds" or "okta-creds-<account>". */
  credentialsKey: string;
  /** okta_session_cookie_key, default "okta-session-cookie". */
  sessionCookieKey: string;
  /** aws_saml_url, a path relative to the Okta domain (leading "/" stripped); full URLs are kept. */
  samlUrl?: string;
  /** The role assumed with SAML; undefined lets the app ask the assertion. */
  samlRoleArn?: string;
  /** AssumeRole hops after the SAML role, in the order they are assumed. */
  hops: RoleHop[];
  /** Region for env vars and the console: the generic lookup of "region". */
  region?: string;
  /** Region for the SAML hop's STS endpoint: the root profile's region, then [okta]'s. */
  stsRegion?: string;
  /** session_ttl in seconds. */
  sessionTtl?: number;
  /** assume_role_ttl in seconds. */
  assumeRoleTtl?: number;
  /** MFA choice from mfa_provider, mfa_factor_type, mfa_duo_device. */
  mfa: { provider?: string; factorType?: string; duoDevice?: string };
  /** Generic lookup (profile, its sources nearest first, then [okta]) for keys read elsewhere. */
  lookup(key: string): string | undefined;
}

const MAX_HINT_NAMES = 5;
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43200;

function availableHint(config: AwsConfig): string {
  if (!config.exists) return `"${config.path}" does not exist; create it or set AWS_CONFIG_FILE`;
  const names = config.profileNames();
  if (names.length === 0) return "the file has no profiles";
  const shown = names.slice(0, MAX_HINT_NAMES).map((name) => `"${name}"`).join(", ");
  const more = names.length > MAX_HINT_NAMES ? ` and ${names.length - MAX_HINT_NAMES} more` : "";
  return `available profiles: ${shown}${more}`;
}

/** Copies only defined values, as exactOptionalPropertyTypes wants. */
function defined<T extends Record<string, unknown>>(
  object: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const result: Record<string, unknown> = {};
  for (const key in object) if (object[key] !== undefined) result[key] = object[key];
  return result as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/**
 * Resolves a profile of the AWS config.
 *
 * @throws {ConfigError} for an unknown profile, a missing source profile, a source_profile loop,
 *   or a bad session_ttl, assume_role_ttl or duration_seconds.
 */
export function resolveProfile(config: AwsConfig, name: string): ResolvedProfile {
  const first = config.profile(name);
  if (!first) {
    throw new ConfigError(`profile "${name}" not found in "${config.path}"`, { hint: availableHint(config) });
  }
  const chain = [name];
  const sections = [first];
  for (let current = first, currentName = name;;) {
    const source = current["source_profile"];
    if (source === undefined) break;
    if (chain.includes(source)) {
      throw new ConfigError(`source_profile loop: ${[...chain, source].map((n) => `"${n}"`).join(" -> ")}`, {
        ...(source === currentName
          ? { hint: `remove source_profile from profile "${source}" (a profile cannot be its own source)` }
          : {}),
      });
    }
    const next = config.profile(source);
    if (!next) {
      throw new ConfigError(
        `profile "${source}" (source_profile of "${currentName}") not found in "${config.path}"`,
        {
          hint: availableHint(config),
        },
      );
    }
    chain.push(source);
    sections.push(next);
    current = next;
    currentName = source;
  }

  /** Generic lookup starting at chain[from]; returns the value and where it was found. */
  const find = (key: string, from = 0): [string, string] | undefined => {
    for (let index = from; index < sections.length; index++) {
      const value = sections[index]?.[key];
      if (value !== undefined) return [value, `profile "${chain[index]}"`];
    }
    const value = config.okta[key];
    return value === undefined ? undefined : [value, `section "okta"`];
  };
  const lookup = (key: string, from = 0) => find(key, from)?.[0];
  const ttl = (key: string): number | undefined => {
    const found = find(key);
    if (!found) return undefined;
    let seconds: number;
    try {
      seconds = parseDuration(found[0]);
    } catch (error) {
      const detail = error instanceof DurationError ? error.detail : String(error);
      throw new ConfigError(`invalid ${key} "${found[0]}" in ${found[1]}: ${detail}`);
    }
    // STS refuses other lengths; better now than after a login and an MFA prompt.
    if (seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
      throw new ConfigError(`invalid ${key} "${found[0]}" in ${found[1]}: use a length from 15m to 12h`);
    }
    return seconds;
  };

  const rootIndex = chain.length - 1;
  const root = sections[rootIndex] ?? first;
  const hops: RoleHop[] = [];
  for (let index = rootIndex - 1; index >= 0; index--) {
    const section = sections[index] ?? {};
    const roleArn = section["role_arn"] ?? section["okta_aws_role_arn"];
    if (roleArn === undefined) continue;
    const profile = chain[index] ?? name;
    hops.push({
      profile,
      roleArn,
      ...defined({
        roleSessionName: lookup("role_session_name", index),
        externalId: section["external_id"],
        durationSeconds: durationSeconds(section["duration_seconds"], profile),
        region: lookup("region", index + 1),
      }),
    });
  }

  const oktaAccount = lookup("okta_account_name");
  const samlUrl = lookup("aws_saml_url");
  return {
    name,
    chain,
    credentialsKey: oktaAccount ? `okta-creds-${oktaAccount}` : "okta-creds",
    sessionCookieKey: lookup("okta_session_cookie_key") ?? "okta-session-cookie",
    hops,
    mfa: defined({
      provider: lookup("mfa_provider"),
      factorType: lookup("mfa_factor_type"),
      duoDevice: lookup("mfa_duo_device"),
    }),
    lookup: (key) => lookup(key),
    ...defined({
      oktaAccount,
      samlUrl: samlUrl === undefined || /^https?:\/\//i.test(samlUrl)
        ? samlUrl
        : samlUrl.replace(/^\/+/, "") || undefined,
      samlRoleArn: root["okta_aws_role_arn"] ?? root["role_arn"],
      region: lookup("region"),
      stsRegion: root["region"] ?? config.okta["region"],
      sessionTtl: ttl("session_ttl"),
      assumeRoleTtl: ttl("assume_role_ttl"),
    }),
  };
}

function durationSeconds(value: string | undefined, profile: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(seconds >= MIN_DURATION_SECONDS && seconds <= MAX_DURATION_SECONDS)) {
    throw new ConfigError(
      `invalid duration_seconds "${value}" in profile "${profile}": use whole seconds from 900 to 43200`,
    );
  }
  return seconds;
}
