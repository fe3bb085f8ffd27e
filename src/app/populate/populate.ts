/**
 * The `populate` use case: every role Okta grants the user, written as AWS config profiles.
 *
 * Signs in once with the `[okta]` section's settings (plus `--account`'s okta_account_name), reads
 * every AWS app's roles (assigned_roles.ts), names one profile per role (names.ts), and
 * edits the AWS config through the INI editor (config/populated_profiles.ts): each profile gets
 * `credential_process = aws-okta cred-process <name>` and the keys that pin it to its role
 * (`okta_aws_role_arn`, then `aws_saml_url` or `okta_aws_fed_app_id`, `okta_account_name`,
 * `region`), never `role_arn` without `source_profile`, which botocore would refuse.
 *
 * The write is atomic and under the file lock; a dry run only computes the text.
 *
 * @module
 */

import { configPath, loadAwsConfig, type ResolvedProfile, resolveProfile } from "../../config/aws_config.ts";
import type { AwsConfig } from "../../config/aws_config.ts";
import {
  applyPopulatedProfiles,
  type ProfileChange,
  type WantedProfile,
} from "../../config/populated_profiles.ts";
import { AppError, UsageError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import { lockDir } from "../lock_dir.ts";
import { checkNaming, DEFAULT_NAME_TEMPLATE, profileNames, roleParts, type RoleToName } from "./names.ts";

/** What `aws-okta populate` was asked. */
export interface PopulateInput {
  /** `--account`: the Okta account (credentials stored by `add --account NAME`). */
  account?: string;
  /** `--prefix`: put in front of every name. */
  prefix: string;
  /** `--name-template`: `{account}`, `{account_id}`, `{role}`, `{app}` (default `{account}-{role}`). */
  template?: string;
  /** `--region`: written into every profile. */
  region?: string;
  /** `--iam-alias`: name accounts by their IAM alias (one STS and one IAM call per account). */
  iamAlias: boolean;
  /** `--dry-run`: compute the text, write nothing. */
  dryRun: boolean;
}

/** One profile's change, with its role when it has one. */
export interface PopulateChange extends ProfileChange {
  roleArn?: string;
}

/** What populate did (or, for a dry run, would do). */
export interface PopulateResult {
  /** The AWS config file. */
  path: string;
  /** The file's text after the change. */
  text: string;
  changes: PopulateChange[];
  /** Whether the file was written (false for a dry run or when nothing changed). */
  written: boolean;
}

/** The name of the stand-in profile the sign-in resolves: the `[okta]` section and `--account`. */
const OKTA_SECTION = "[okta]";

/** Signs in, reads the roles, and writes (or, with `dryRun`, shows) the profiles. */
export async function populate(ctx: AppContext, input: PopulateInput): Promise<PopulateResult> {
  const template = input.template ?? DEFAULT_NAME_TEMPLATE;
  checkNaming(input.prefix, template);
  if (input.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(input.region)) {
    throw new UsageError(`invalid --region "${input.region}"`, {
      hint: 'use a region name like "us-west-2"',
    });
  }
  const path = configPath(ctx.env, ctx.home);
  const config = await loadAwsConfig(path);
  const base = signInProfile(config, input.account);

  const { assignedRoles } = await import("./assigned_roles.ts");
  const keyring = await ctx.openKeyring();
  const fetch = await ctx.buildFetch();
  const found = await assignedRoles(ctx, base, keyring, fetch);
  for (const { app, reason } of found.skipped) {
    ctx.prompter.say(`Skipped Okta app "${app.label || app.id}" (${app.id}): ${reason}`);
  }

  // One profile per role: a role granted by two apps goes with the first app by label.
  const apps = [...found.apps].sort((a, b) =>
    a.app.label.localeCompare(b.app.label) || a.app.id.localeCompare(b.app.id)
  );
  const entries: (RoleToName & { app: (typeof apps)[number]["app"] })[] = [];
  const seen = new Set<string>();
  for (const { app, roles } of apps) {
    const singleAccountApp = new Set(roles.map((role) => roleParts(role.roleArn).accountId)).size === 1;
    for (const role of [...roles].sort((a, b) => a.roleArn.localeCompare(b.roleArn))) {
      if (seen.has(role.roleArn)) continue;
      seen.add(role.roleArn);
      entries.push({ roleArn: role.roleArn, appLabel: app.label, singleAccountApp, app });
    }
  }
  if (entries.length === 0) {
    throw new AppError("Okta's AWS apps grant you no role", {
      hint: "ask your Okta admin to assign roles in the AWS app",
    });
  }
  let aliases: Map<string, string> | undefined;
  if (input.iamAlias) {
    const { accountAliases } = await import("./account_aliases.ts");
    aliases = await accountAliases(ctx, fetch, found.apps, base.stsRegion ?? input.region);
  }
  const names = profileNames(entries, {
    prefix: input.prefix,
    template,
    ...(aliases ? { aliases } : {}),
  });

  const wanted: WantedProfile[] = entries.map((entry, index) => {
    const name = names[index]!;
    return {
      name,
      values: {
        credential_process: `aws-okta cred-process ${name}`,
        okta_aws_role_arn: entry.roleArn,
        aws_saml_url: found.flow === "classic" ? entry.app.samlUrl : undefined,
        okta_aws_fed_app_id: found.flow === "device" ? entry.app.id : undefined,
        okta_account_name: base.oktaAccount,
        ...(input.region ? { region: input.region } : {}),
      },
    };
  });
  // Profiles of apps that could not be read stay: their roles are unknown, not revoked.
  const unread = new Set(found.skipped.flatMap(({ app }) => [app.id, app.samlUrl ?? app.id]));
  const options = {
    scope: base.oktaAccount ?? "default",
    fileName: path,
    keep: (values: Record<string, string>) =>
      unread.has(values["okta_aws_fed_app_id"] ?? "") || unread.has(values["aws_saml_url"] ?? ""),
  };
  const roleOf = new Map(wanted.map((profile) => [profile.name, profile.values["okta_aws_role_arn"]]));
  let edit: ReturnType<typeof applyPopulatedProfiles> | undefined;
  const apply = (text: string) => {
    edit = applyPopulatedProfiles(text, wanted, options);
    return edit.text;
  };
  let written = false;
  if (input.dryRun) {
    apply(await readText(path));
  } else {
    const { updateTextFile } = await import("../ini_file.ts");
    ({ written } = await updateTextFile({ path, lockDir: lockDir(ctx.env, ctx.home) }, apply));
  }
  const result = edit!;
  const changes = result.changes.map((change) => {
    const roleArn = roleOf.get(change.name);
    return roleArn ? { ...change, roleArn } : change;
  });
  return { path, text: result.text, changes, written };
}

/**
 * The profile the sign-in uses: no keys of its own but `okta_account_name` from `--account`, so
 * everything else (flow, client id, domain, `aws_saml_url`, MFA) comes from `[okta]`.
 */
function signInProfile(config: AwsConfig, account: string | undefined): ResolvedProfile {
  const own: Record<string, string> = account ? { okta_account_name: account } : {};
  const withOkta: AwsConfig = {
    ...config,
    profile: (name) => name === OKTA_SECTION ? own : config.profile(name),
  };
  return resolveProfile(withOkta, OKTA_SECTION);
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    const { fileError } = await import("../ini_file.ts");
    throw fileError(path, "read", error);
  }
}
