/**
 * The command tree: global flags and the list of commands. Parsing, help and shell completions are
 * all generated from these declarations.
 *
 * @module
 */

import { defineCommand, lazyCommand } from "./framework/command.ts";
import { GLOBAL_FLAGS } from "./global_flags.ts";
import { credProcessCommand } from "./cred_process.ts";

/** The root command: `aws-okta`. */
export const rootCommand = defineCommand({
  name: "aws-okta",
  summary: "Log in to AWS through Okta",
  description:
    "aws-okta gets AWS credentials through Okta (password + MFA, Okta sessions reused) and caches them in your keyring.\n" +
    "Use it as a credential_process, or run commands with credentials in their environment.",
  flags: GLOBAL_FLAGS,
  // Each command's module loads when the command line names it (main.ts): cred-process, the
  // cache hit, loads no other command's module. Names and summaries here are what help lists;
  // root_test.ts checks them against the modules.
  subcommands: [
    lazyCommand({
      name: "add",
      summary: "Add your Okta credentials to the keyring",
      load: async () => (await import("./add.ts")).addCommand,
    }),
    // Static: the cache hit of cred-process runs on every AWS CLI call, so its modules load in the
    // same round as main.ts's.
    credProcessCommand,
    lazyCommand({
      name: "exec",
      summary: "Run a command with the profile's credentials in its environment",
      load: async () => (await import("./exec.ts")).execCommand,
    }),
    lazyCommand({
      name: "env",
      summary: "Print the credentials as shell export lines",
      load: async () => (await import("./env.ts")).envCommand,
    }),
    lazyCommand({
      name: "web",
      summary: "okta-aws-cli's web flow: device sign-in, then credentials in okta-aws-cli's formats",
      load: async () => (await import("./okta_aws_cli/web.ts")).webCommand,
    }),
    lazyCommand({
      name: "m2m",
      summary: "okta-aws-cli's m2m flow: private key JWT client credentials, then AssumeRoleWithWebIdentity",
      load: async () => (await import("./okta_aws_cli/m2m.ts")).m2mCommand,
    }),
    lazyCommand({
      name: "backends",
      summary: "List keyring backends and whether each is usable here",
      load: async () => (await import("./backends.ts")).backendsCommand,
    }),
    lazyCommand({
      name: "login",
      summary: "Open the AWS console signed in as the profile's role",
      load: async () => (await import("./login.ts")).loginCommand,
    }),
    lazyCommand({
      name: "write-to-credentials",
      summary: "Write the profile's credentials into an AWS credentials file",
      load: async () => (await import("./write_to_credentials.ts")).writeToCredentialsCommand,
    }),
    lazyCommand({
      name: "list",
      summary: "List the profiles of your AWS config",
      load: async () => (await import("./list.ts")).listCommand,
    }),
    lazyCommand({
      name: "populate",
      summary: "Write a profile for every AWS role Okta grants you into your AWS config",
      load: async () => (await import("./populate.ts")).populateCommand,
    }),
    lazyCommand({
      name: "eks-token",
      summary: "Print an EKS token for kubectl (ExecCredential JSON)",
      load: async () => (await import("./eks_token.ts")).eksTokenCommand,
    }),
    lazyCommand({
      name: "completion",
      summary: "Print a shell completion script",
      load: async () => (await import("./completion.ts")).completionCommand,
    }),
    lazyCommand({
      name: "version",
      summary: "Print the version",
      load: async () => (await import("./version.ts")).versionCommand,
    }),
  ],
});
