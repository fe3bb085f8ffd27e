/**
 * `aws-okta exec <profile> -- <command> [args...]`: runs a command with the profile's credentials in
 * its environment and exits with the command's exit code.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";

/** The exec command. */
export const execCommand = defineCommand({
  name: "exec",
  summary: "Run a command with the profile's credentials in its environment",
  description:
    'exec runs the command after "--" with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN\n' +
    "(and AWS_REGION when the profile has one) set, and exits with the command's exit code.",
  args: [
    { name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" },
    { name: "command", variadic: true, complete: "command", description: "Command and arguments, after --" },
  ],
  flags: CREDENTIAL_FLAGS,
  passthrough: true,
  examples: [
    { description: "Run Terraform", command: "aws-okta exec okta-dev -- terraform plan" },
    { description: "Check who you are", command: "aws-okta exec okta-dev -- aws sts get-caller-identity" },
  ],
  action: async (input) => {
    const [command, ...args] = input.rest;
    if (!command) {
      throw new UsageError('must specify a command to run after "--"', {
        usage: "aws-okta exec <profile> -- <command> [args...]",
      });
    }
    const ctx = appContext(input, "tty");
    const { checkProgram, runChild } = await import("../app/exec.ts");
    checkProgram(command, ctx.env.toObject());
    const { getCredentials } = await import("../app/credentials.ts");
    const { credentialEnv, childEnv } = await import("../aws/formats.ts");
    const result = await getCredentials(ctx, credentialRequest(input));
    const vars = credentialEnv({
      creds: result.credentials,
      profile: result.profile.name,
      ...(result.profile.region ? { region: result.profile.region } : {}),
      ...(result.credentials.assumedRoleArn ? { assumedRoleArn: result.credentials.assumedRoleArn } : {}),
    });
    return await runChild({ command, args, env: childEnv(ctx.env.toObject(), vars) });
  },
});
