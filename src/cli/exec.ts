/**
 * `aws-okta exec <profile> -- <command> [args...]`: runs a command with the profile's credentials in
 * its environment and exits with the command's exit code.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";

/** The exec command. */
export const execCommand = defineCommand({
  name: "exec",
  summary: "Run a command with the profile's credentials in its environment",
  description:
    'exec runs the command after "--" with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN\n' +
    "(and AWS_REGION when the profile has one) set, and exits with the command's exit code.\n\n" +
    "With --server, the command gets AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN\n" +
    "instead of keys: a credential endpoint on 127.0.0.1 that SDKs call again whenever their credentials\n" +
    "near expiry, so long-running commands keep working across session renewals.",
  args: [
    { name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" },
    {
      name: "command",
      required: true,
      variadic: true,
      complete: "command",
      description: "Command and arguments, after --",
    },
  ],
  flags: [
    ...CREDENTIAL_FLAGS,
    {
      name: "assume-role-arn",
      short: "r",
      type: "string",
      valueName: "ARN",
      description: "Role to take from Okta's SAML assertion instead of the profile's (as Go aws-okta)",
      env: ["AWS_ASSUME_ROLE_ARN"],
    },
    {
      name: "server",
      type: "boolean",
      description: "Serve refreshing credentials on a local ECS-style endpoint instead of fixed variables",
    },
  ],
  passthrough: true,
  examples: [
    { description: "Run Terraform", command: "aws-okta exec okta-dev -- terraform plan" },
    { description: "Check who you are", command: "aws-okta exec okta-dev -- aws sts get-caller-identity" },
    {
      description: "Another role the Okta app grants you",
      command: "aws-okta exec -r arn:aws:iam::123456789012:role/ReadOnly okta-dev -- aws s3 ls",
    },
    {
      description: "A long-running shell whose SDKs refresh credentials",
      command: "aws-okta exec --server okta-dev -- bash",
    },
  ],
  action: async (input) => {
    const [command, ...args] = input.args.command;
    const ctx = appContext(input, "tty");
    const { checkProgram, runChild } = await import("../app/exec/exec.ts");
    checkProgram(command, ctx.env.toObject());
    if (input.flags.server) {
      const { execWithCredentialServer } = await import("../app/exec/exec_server.ts");
      return await execWithCredentialServer(ctx, { request: credentialRequest(input), command, args });
    }
    const { getCredentials } = await import("../app/cred_process.ts");
    const { childEnv } = await import("../aws/formats.ts");
    const { credentialVars } = await import("../app/exec/credential_vars.ts");
    const result = await getCredentials(ctx, credentialRequest(input));
    const vars = credentialVars(result);
    return await runChild({ command, args, env: childEnv(ctx.env.toObject(), vars) });
  },
});
