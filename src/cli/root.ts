/**
 * The command tree: global flags and the list of commands. Parsing, help and shell completions are
 * all generated from these declarations.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { GLOBAL_FLAGS } from "./global_flags.ts";
import { addCommand } from "./add.ts";
import { backendsCommand } from "./backends.ts";
import { credProcessCommand } from "./cred_process.ts";
import { envCommand } from "./env.ts";
import { execCommand } from "./exec.ts";
import { versionCommand } from "./version.ts";
import { webCommand } from "./okta_aws_cli/web.ts";
import { m2mCommand } from "./okta_aws_cli/m2m.ts";
import { completionCommand } from "./completion.ts";
import { eksTokenCommand } from "./eks_token.ts";
import { listCommand } from "./list.ts";
import { loginCommand } from "./login.ts";
import { populateCommand } from "./populate.ts";
import { writeToCredentialsCommand } from "./write_to_credentials.ts";

/** The root command: `aws-okta`. */
export const rootCommand = defineCommand({
  name: "aws-okta",
  summary: "Log in to AWS through Okta",
  description:
    "aws-okta gets AWS credentials through Okta (password + MFA, Okta sessions reused) and caches them in your keyring.\n" +
    "Use it as a credential_process, or run commands with credentials in their environment.",
  flags: GLOBAL_FLAGS,
  subcommands: [
    addCommand,
    credProcessCommand,
    execCommand,
    envCommand,
    webCommand,
    m2mCommand,
    backendsCommand,
    loginCommand,
    writeToCredentialsCommand,
    listCommand,
    populateCommand,
    eksTokenCommand,
    completionCommand,
    versionCommand,
  ],
});
