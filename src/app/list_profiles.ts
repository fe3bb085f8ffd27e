/**
 * The `list` use case: the profiles of the AWS config that aws-okta can serve, each with its role
 * chain and sign-in flow. Also the source of profile names for shell completion.
 *
 * A profile is listed when it resolves (its source_profile chain is sound), reaches an Okta app
 * (aws_saml_url) or an Identity Engine client (okta_oidc_client_id), holds no other kind of
 * credentials at the root of its chain, and is aws-okta's: it has a role, its own Okta keys, or a
 * credential_process that runs aws-okta.
 *
 * @module
 */

import { type AwsConfig, resolveProfile } from "../config/aws_config.ts";
import { AppError } from "../errors.ts";

/** One listed profile. */
export interface ProfileListing {
  /** The profile name. */
  name: string;
  /**
   * How aws-okta signs in: "classic" (password + MFA, then the SAML app), "device" (Identity Engine
   * device flow), or "auto" (the device flow when the org turns out to be Identity Engine).
   */
  flow: "classic" | "device" | "auto";
  /** The profile and its source profiles, the profile first. */
  chain: string[];
  /** The roles assumed in order: the SAML role first (undefined: chosen at login), then each hop. */
  roles: { profile: string; roleArn: string | undefined }[];
  /** The region (env variables, console), if set. */
  region?: string;
  /** okta_account_name, if set. */
  oktaAccount?: string;
  /** aws_saml_url, if set. */
  samlUrl?: string;
}

/** What {@linkcode listProfiles} found. */
export interface ProfileList {
  profiles: ProfileListing[];
  /** Profiles that look like aws-okta's but do not resolve, with the reason. */
  skipped: { name: string; reason: string }[];
}

/** Keys that mark a profile as aws-okta's. */
const OKTA_KEYS = [
  "okta_aws_role_arn",
  "aws_saml_url",
  "okta_account_name",
  "okta_session_cookie_key",
  "okta_auth_flow",
  "okta_oidc_client_id",
  "okta_aws_fed_app_id",
  "mfa_provider",
  "mfa_factor_type",
];

/** Keys of other credential sources: a profile whose chain root has one is not aws-okta's. */
const OTHER_SOURCES = [
  "aws_access_key_id",
  "sso_start_url",
  "sso_session",
  "web_identity_token_file",
  "credential_source",
];

/** Lists the profiles aws-okta can serve, in file order. */
export function listProfiles(config: AwsConfig): ProfileList {
  const profiles: ProfileListing[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of config.profileNames()) {
    const sections = () => chainSections(config, name);
    let resolved;
    try {
      resolved = resolveProfile(config, name);
    } catch (error) {
      if (sections().some(isOkta)) {
        skipped.push({ name, reason: error instanceof AppError ? error.message : String(error) });
      }
      continue;
    }
    const own = resolved.chain.map((profile) => config.profile(profile) ?? {});
    const root = own[own.length - 1] ?? {};
    const runsUs = (section: Record<string, string>) =>
      /\baws-okta\b/.test(section["credential_process"] ?? "");
    if (OTHER_SOURCES.some((key) => root[key] !== undefined)) continue;
    if (root["credential_process"] !== undefined && !runsUs(root)) continue;
    const device = resolved.lookup("okta_oidc_client_id") !== undefined;
    if (!resolved.samlUrl && !device) continue;
    const hasRole = resolved.samlRoleArn !== undefined || resolved.hops.length > 0;
    if (!hasRole && !own.some(isOkta) && !own.some(runsUs)) continue;

    const setting = resolved.lookup("okta_auth_flow")?.toLowerCase();
    const flow = setting === "classic" || setting === "device" ? setting : device ? "auto" : "classic";
    const rootName = resolved.chain[resolved.chain.length - 1] ?? name;
    profiles.push({
      name,
      flow,
      chain: resolved.chain,
      roles: [
        { profile: rootName, roleArn: resolved.samlRoleArn },
        ...resolved.hops.map((hop) => ({ profile: hop.profile, roleArn: hop.roleArn })),
      ],
      ...(resolved.region ? { region: resolved.region } : {}),
      ...(resolved.oktaAccount ? { oktaAccount: resolved.oktaAccount } : {}),
      ...(resolved.samlUrl ? { samlUrl: resolved.samlUrl } : {}),
    });
  }
  return { profiles, skipped };
}

function isOkta(section: Record<string, string>): boolean {
  return OKTA_KEYS.some((key) => section[key] !== undefined);
}

/** The sections of a profile's chain as far as they exist (for profiles that do not resolve). */
function chainSections(config: AwsConfig, name: string): Record<string, string>[] {
  const sections: Record<string, string>[] = [];
  const seen = new Set<string>();
  for (let current: string | undefined = name; current && !seen.has(current);) {
    seen.add(current);
    const section = config.profile(current);
    if (!section) break;
    sections.push(section);
    current = section["source_profile"];
  }
  return sections;
}

/** The listing as an aligned table (PROFILE, FLOW, REGION, ROLES), with a trailing newline. */
export function profileTable(profiles: readonly ProfileListing[]): string {
  const rows = [["PROFILE", "FLOW", "REGION", "ROLES"]];
  for (const profile of profiles) {
    rows.push([
      profile.name,
      profile.flow,
      profile.region ?? "-",
      profile.roles.map((role) => role.roleArn ?? "(chosen at login)").join(" -> "),
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell.padEnd(widths[i]!)).join("  ")
  )
    .join("\n") + "\n";
}
