/**
 * aws-okta run under the name `okta-aws-cli` (a link or copy; `make install` installs the link)
 * behaves as okta-aws-cli v2.6.0 for its users' scripts: no subcommand means `web`, `-b` is
 * `--open-browser` (web) or `--private-key-file` (m2m), `-d` is `--debug-api-calls`, `-v` is
 * `--version`, OKTA_AWSCLI_* values are also read from ./.env, and the output formats are its own.
 * Under the name `aws-okta` nothing of this applies.
 *
 * The name reaches us from the launcher (a shell script that execs deno, passing its `$0` in
 * AWS_OKTA_ARGV0), or, for a compiled binary, from its own path.
 *
 * The name is told apart in mode.ts; this module (okta-aws-cli's command tree) loads only in this mode.
 *
 * @module
 */

import { AWS_CLI_ARGS } from "./flags.ts";
import { OKTA_AWS_CLI } from "./mode.ts";
import { defineCommand, type FlagSpec } from "../framework/command.ts";
import { m2mCommand, runM2mCommand } from "./m2m.ts";
import { GLOBAL_FLAGS } from "../global_flags.ts";
import { runWebCommand, webCommand } from "./web.ts";

/** The okta-aws-cli release whose behaviour this mode follows. */
export const OKTA_AWS_CLI_VERSION = "2.6.0";

/**
 * okta-aws-cli's command line as aws-okta's parser takes it: `-v` is `--version`, and when no
 * subcommand is named (okta-aws-cli looks for one anywhere before `--`), `web` is put first.
 * Bare `okta-aws-cli` prints help, as it does.
 */
export function oktaAwsCliArgv(argv: readonly string[]): string[] {
  const first = argv[0];
  if (first === undefined) return [];
  if (first === "-v") return ["--version", ...argv.slice(1)];
  if (["--help", "-h", "help", "--version"].includes(first)) return [...argv];
  const end = argv.indexOf("--");
  const before = end < 0 ? argv : argv.slice(0, end);
  const at = before.findIndex((word) => SUBCOMMANDS.includes(word));
  if (at < 0) return ["web", ...argv];
  return [argv[at]!, ...argv.slice(0, at), ...argv.slice(at + 1)];
}

/** okta-aws-cli's `--version` line, naming what answers it. */
export function oktaAwsCliVersionText(awsOktaVersion: string): string {
  return `${OKTA_AWS_CLI} version ${OKTA_AWS_CLI_VERSION} (aws-okta ${awsOktaVersion})\n`;
}

/** `flags` with okta-aws-cli's short letters: `letters` maps a long name to its letter. */
function withShorts(flags: readonly FlagSpec[], letters: Record<string, string>): FlagSpec[] {
  return flags.map((flag) => {
    const letter = letters[flag.name];
    if (letter) return { ...flag, short: letter, hidden: false };
    return flag;
  });
}

const webFlags = withShorts(webCommand.flags ?? [], { "open-browser": "b", "debug-api-calls": "d" });
const m2mFlags = withShorts(m2mCommand.flags ?? [], { "private-key-file": "b", "debug-api-calls": "d" });

/**
 * okta-aws-cli's command names: web and m2m are here; direct, debug and list-profiles are not, and
 * naming one is an unknown-command error rather than an argument of web.
 */
const SUBCOMMANDS = ["web", "m2m", "direct", "debug", "list-profiles"];

/** The command tree under the name okta-aws-cli. */
export const oktaAwsCliRoot = defineCommand({
  name: OKTA_AWS_CLI,
  summary: "Okta federated identity for AWS CLI (aws-okta answering as okta-aws-cli)",
  description:
    "aws-okta, run under the name okta-aws-cli, takes okta-aws-cli's command line and prints its output\n" +
    "formats byte for byte. With no command, web runs. aws-okta's own commands are under the name aws-okta.",
  // aws-okta's -b (--backend) and -d (--debug) letters belong to okta-aws-cli's flags here.
  flags: GLOBAL_FLAGS.map(({ short: _short, ...flag }: FlagSpec) => flag),
  subcommands: [
    {
      ...webCommand,
      description: (webCommand.description ?? "").replace(/\n\nokta-aws-cli's -b[\s\S]*$/, ""),
      args: AWS_CLI_ARGS,
      flags: webFlags,
      action: (input) => runWebCommand(input, "okta-aws-cli"),
    },
    {
      ...m2mCommand,
      description: (m2mCommand.description ?? "").replace(/\n\nokta-aws-cli's -b[\s\S]*$/, ""),
      flags: m2mFlags,
      action: (input) => runM2mCommand(input, "okta-aws-cli"),
    },
  ],
});
