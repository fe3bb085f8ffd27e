/**
 * `aws-okta list`: Go aws-okta's table of the profiles with `role_arn`; `--long` and `--json` show
 * the profiles aws-okta can serve, with their flow and role chain.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** The list command. */
export const listCommand = defineCommand({
  name: "list",
  summary: "List the profiles of your AWS config",
  description:
    "list prints Go aws-okta's table: every profile with role_arn, sorted by name, as tab-separated\n" +
    "PROFILE, ARN and SOURCE_ROLE columns. --long (and --json) show instead the profiles aws-okta can get\n" +
    "credentials for: those that reach an Okta AWS app (aws_saml_url) or an Identity Engine client, with\n" +
    "the sign-in flow, the region and the roles assumed in order (the Okta role first, then each\n" +
    "source_profile hop). Profiles the AWS CLI would refuse (role_arn without source_profile beside a\n" +
    "credential_process) are named on stderr.",
  flags: [
    {
      name: "long",
      short: "l",
      type: "boolean",
      description: "Show the profiles aws-okta serves, with flow, region and role chain",
    },
    {
      name: "json",
      type: "boolean",
      description: "Print JSON (an array of the profiles aws-okta serves) instead of a table",
    },
  ],
  examples: [
    { description: "As Go aws-okta prints it", command: "aws-okta list" },
    { description: "Flows and role chains", command: "aws-okta list --long" },
    { description: "Names only", command: "aws-okta list --json | jq -r '.[].name'" },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { configPath, loadAwsConfigSync } = await import("../config/aws_config.ts");
    const { goProfileTable, listProfiles, partialAssumeRoleProfiles, profileTable } = await import(
      "../app/list.ts"
    );
    const { AppError } = await import("../errors.ts");
    const path = configPath(ctx.env, ctx.home);
    const config = loadAwsConfigSync(path);
    if (!config.exists) {
      throw new AppError(`AWS config file "${path}" does not exist`, {
        hint: "create it (see the README's quick start) or set AWS_CONFIG_FILE",
      });
    }
    for (const name of partialAssumeRoleProfiles(config)) {
      ctx.prompter.say(
        `Profile "${name}" has role_arn without source_profile beside credential_process: the AWS CLI ` +
          `refuses it ("Partial credentials found in assume-role"); rename role_arn to okta_aws_role_arn`,
      );
    }
    const { long, json } = input.flags;
    if (!long && !json) {
      writeStdout(goProfileTable(config));
      return;
    }
    const { profiles, skipped } = listProfiles(config);
    for (const { name, reason } of skipped) ctx.prompter.say(`Skipped profile "${name}": ${reason}`);
    if (json) {
      writeStdout(`${JSON.stringify(profiles, null, 2)}\n`);
      return;
    }
    if (profiles.length === 0) {
      ctx.prompter.say(`No profile in "${path}" uses aws-okta (none reaches an aws_saml_url)`);
      return;
    }
    writeStdout(profileTable(profiles));
  },
});
