/**
 * `aws-okta list`: the profiles aws-okta can serve, with their flow and role chain.
 *
 * @module
 */

import { defineCommand } from "./command.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** The list command. */
export const listCommand = defineCommand({
  name: "list",
  summary: "List the profiles aws-okta can serve",
  description:
    "list shows the profiles of your AWS config that aws-okta can get credentials for: those that reach an\n" +
    "Okta AWS app (aws_saml_url) or an Identity Engine client, with the sign-in flow, the region and the\n" +
    "roles assumed in order (the Okta role first, then each source_profile hop).",
  flags: [{
    name: "json",
    type: "boolean",
    description: "Print JSON (an array of profiles) instead of a table",
  }],
  examples: [
    { description: "As a table", command: "aws-okta list" },
    { description: "Names only", command: "aws-okta list --json | jq -r '.[].name'" },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { configPath, loadAwsConfigSync } = await import("../config/aws_config.ts");
    const { listProfiles, profileTable } = await import("../app/list_profiles.ts");
    const { AppError } = await import("../errors.ts");
    const path = configPath(ctx.env, ctx.home);
    const config = loadAwsConfigSync(path);
    if (!config.exists) {
      throw new AppError(`AWS config file "${path}" does not exist`, {
        hint: "create it (see the README's quick start) or set AWS_CONFIG_FILE",
      });
    }
    const { profiles, skipped } = listProfiles(config);
    for (const { name, reason } of skipped) ctx.prompter.say(`Skipped profile "${name}": ${reason}`);
    if (input.flags["json"] === true) {
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
