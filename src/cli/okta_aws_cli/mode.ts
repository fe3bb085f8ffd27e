/**
 * Which program the process is: aws-okta, or aws-okta under the name `okta-aws-cli`
 * (src/cli/okta_aws_cli/entry.ts). Apart from the rest of that mode so that `main.ts` decides with
 * this small module and loads okta-aws-cli's command tree only when it is wanted.
 *
 * @module
 */

import type { CliMode } from "./flags.ts";

/** The name that switches on okta-aws-cli mode. */
export const OKTA_AWS_CLI = "okta-aws-cli";

/** The variable the launcher passes its own path (`$0`) in. */
export const ARGV0_VARIABLE = "AWS_OKTA_ARGV0";

/**
 * The mode for the program's name: "okta-aws-cli" when the launcher's `$0`, or else a compiled
 * binary's own path, ends in `okta-aws-cli` (or `okta-aws-cli.exe`).
 */
export function cliModeOf(argv0: string | undefined, execPath: string): CliMode {
  const base = (path: string) => path.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "");
  // Under `deno run` the executable is deno itself; only a compiled binary's path names it.
  const name = argv0 ?? (/^deno$/i.test(base(execPath)) ? "" : execPath);
  return base(name) === OKTA_AWS_CLI ? "okta-aws-cli" : "aws-okta";
}
