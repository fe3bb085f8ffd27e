/**
 * `aws-okta populate`: every role Okta grants you, written as profiles of your AWS config.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { appContext } from "./context.ts";
import { writeStderr, writeStdout } from "./output.ts";

/** The populate command. */
export const populateCommand = defineCommand({
  name: "populate",
  summary: "Write a profile for every AWS role Okta grants you into your AWS config",
  description:
    "populate signs in to Okta once (the device flow or the classic one, as [okta] says; a stored Okta\n" +
    "session or tokens are reused), finds every AWS app assigned to you, reads each app's roles, and writes\n" +
    "one profile per role into your AWS config, named <prefix><account>-<role>: credential_process =\n" +
    "aws-okta cred-process <name>, okta_aws_role_arn, and aws_saml_url (okta_aws_fed_app_id with the device\n" +
    "flow), okta_account_name with --account, region with --region. <account> is the account's IAM alias\n" +
    "with --iam-alias, else the Okta app's label when all its roles are in one account, else the account id.\n\n" +
    "The key aws_okta_populate marks the profiles populate owns: a later run updates them and removes those\n" +
    "whose role Okta no longer grants. Every other byte of the file is kept, and a profile of the same name\n" +
    "that populate did not write is refused, not overwritten. The file is replaced atomically.\n\n" +
    "One line per profile (added, updated, unchanged, removed) goes to stderr; --dry-run prints the\n" +
    "resulting file on stdout and writes nothing.",
  flags: [
    {
      name: "account",
      type: "string",
      valueName: "NAME",
      description: "Okta account stored by 'add --account NAME' (written as okta_account_name)",
    },
    {
      name: "prefix",
      type: "string",
      valueName: "P",
      description: "Put P in front of every profile name",
    },
    {
      name: "name-template",
      type: "string",
      valueName: "TEMPLATE",
      description:
        'Profile names from {account}, {account_id}, {role} and {app} (the Okta app\'s label); default "{account}-{role}"',
    },
    {
      name: "region",
      type: "string",
      valueName: "REGION",
      description: "Write region = REGION into every profile",
    },
    {
      name: "iam-alias",
      type: "boolean",
      description: "Name accounts by their IAM account alias (one STS and one IAM call per account)",
    },
    { name: "dry-run", type: "boolean", description: "Print the resulting config on stdout; change nothing" },
  ],
  examples: [
    { description: "Every role, named like acme-prod-Engineer", command: "aws-okta populate" },
    { description: "See what would change", command: "aws-okta populate --dry-run | diff ~/.aws/config -" },
    {
      description: "A team convention",
      command: "aws-okta populate --prefix okta- --name-template '{account_id}-{role}' --region eu-west-1",
    },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { populate } = await import("../app/populate/populate.ts");
    const { account, region, prefix, "name-template": template } = input.flags;
    const result = await populate(ctx, {
      ...(account ? { account } : {}),
      ...(region ? { region } : {}),
      prefix: prefix ?? "",
      ...(template ? { template } : {}),
      iamAlias: input.flags["iam-alias"],
      dryRun: input.flags["dry-run"],
    });
    if (input.flags["dry-run"]) {
      writeStdout(result.text);
      return;
    }
    // The summary is the command's report: stderr itself, never a terminal instead.
    const lines = result.changes.map((change) =>
      `${change.action} profile "${change.name}"${change.roleArn ? ` (${change.roleArn})` : ""}\n`
    );
    const done = result.written ? `Updated "${result.path}"` : `"${result.path}" is up to date`;
    writeStderr(`${lines.join("")}${done}\n`);
  },
});
