/**
 * The command tree: global flags and the list of commands. Parsing, help and shell completions are
 * all generated from these declarations.
 *
 * @module
 */

import { defineCommand, type FlagSpec } from "./framework/command.ts";
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

/** Flags every command accepts, before or after the command name (aws-okta's persistent flags). */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: "backend",
    short: "b",
    type: "string",
    valueName: "NAME",
    description: "Secret backend to use",
    env: ["AWS_OKTA_BACKEND"],
    complete: "backend",
    global: true,
  },
  {
    name: "debug",
    short: "d",
    type: "boolean",
    description: "Enable debug logging (secrets redacted)",
    global: true,
  },
  {
    name: "mfa-provider",
    type: "string",
    valueName: "PROVIDER",
    description: "MFA provider to use (e.g. OKTA, GOOGLE, DUO, SYMANTEC, YUBICO, FIDO)",
    suggest: ["OKTA", "GOOGLE", "DUO", "SYMANTEC", "YUBICO", "FIDO"],
    env: ["AWS_OKTA_MFA_PROVIDER"],
    global: true,
  },
  {
    name: "mfa-factor-type",
    type: "string",
    valueName: "TYPE",
    description: "MFA factor type to use (e.g. push, token:software:totp, sms, call, email, web, webauthn)",
    suggest: [
      "push",
      "token:software:totp",
      "token:hardware",
      "token",
      "sms",
      "call",
      "email",
      "web",
      "u2f",
      "webauthn",
    ],
    env: ["AWS_OKTA_MFA_FACTOR_TYPE"],
    global: true,
  },
  {
    name: "mfa-duo-device",
    type: "string",
    valueName: "DEVICE",
    description: 'Duo device to use: phone1, phone2, u2f or token (default "phone1")',
    suggest: ["phone1", "phone2", "u2f", "token"],
    env: ["AWS_OKTA_MFA_DUO_DEVICE"],
    global: true,
  },
  {
    name: "session-cache-single-item",
    type: "boolean",
    description: "Keep all cached sessions in one keyring item",
    env: ["AWS_OKTA_SESSION_CACHE_SINGLE_ITEM"],
    global: true,
  },
];

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
