/**
 * aws-okta's entry point: parses the command line against the command tree, runs the command, and
 * maps errors to one line on stderr and an exit code. The only place that calls `Deno.exit`.
 *
 * Exit codes: 0 success; 1 runtime error; 2 usage error; `exec` passes on its child's code.
 *
 * @module
 */

import { AppError, formatError, oneLine, UsageError } from "./errors.ts";
import { parseCommandLine } from "./cli/framework/parse.ts";
import { usageLine } from "./cli/framework/help.ts";
import { rootCommand } from "./cli/root.ts";
import { processEnv } from "./cli/context.ts";
import { writeStderr, writeStdout } from "./cli/output.ts";
import { versionText } from "./cli/version.ts";
import type { CliMode } from "./cli/okta_aws_cli/flags.ts";
import { ARGV0_VARIABLE, cliModeOf } from "./cli/okta_aws_cli/mode.ts";
import { loadCommands } from "./cli/framework/command.ts";
import { VERSION } from "./version.ts";

/**
 * Runs aws-okta with `argv` and returns the exit code; `mode` "okta-aws-cli" (the program's name)
 * takes okta-aws-cli's command line instead (src/cli/okta_aws_cli/entry.ts).
 */
export async function main(argv: readonly string[], mode: CliMode = "aws-okta"): Promise<number> {
  const okta = mode === "okta-aws-cli";
  // okta-aws-cli's -d is --debug-api-calls, which also means --debug here.
  let debug = argv.includes("--debug") || argv.includes("-d");
  try {
    // Inside the try: without env permission this read is the first thing to fail.
    debug ||= /^(1|true)$/i.test(processEnv.get("AWS_OKTA_DEBUG") ?? "");
    const env = okta
      ? await (await import("./config/dot_env.ts")).withDotEnv(processEnv, Deno.cwd())
      : processEnv;
    const oktaAwsCli = okta ? await import("./cli/okta_aws_cli/entry.ts") : undefined;
    const root = oktaAwsCli ? oktaAwsCli.oktaAwsCliRoot : rootCommand;
    const words = oktaAwsCli ? oktaAwsCli.oktaAwsCliArgv(argv) : argv;
    // The commands the command line names load now (lazyCommand): a cache hit loads one.
    await loadCommands(root, words);
    const parsed = parseCommandLine(root, words, env);
    if ("help" in parsed) {
      writeStdout(parsed.help);
      return 0;
    }
    if ("version" in parsed) {
      writeStdout(oktaAwsCli ? oktaAwsCli.oktaAwsCliVersionText(VERSION) : versionText());
      return 0;
    }
    if (!parsed.command.action) {
      throw new UsageError(`"${parsed.path.join(" ") || root.name}" needs a command`, {
        usage: usageLine(root, parsed.path),
      });
    }
    return (await parsed.command.action(parsed)) ?? 0;
  } catch (error) {
    return report(error, debug, okta ? "okta-aws-cli" : "aws-okta");
  }
}

/** Prints an error as one line (plus the usage line for usage errors) and returns its exit code. */
function report(error: unknown, debug: boolean, program: string): number {
  if (error instanceof UsageError) {
    writeStderr(`${program}: ${formatError(error)}\n`);
    if (error.usage) writeStderr(`Usage: ${error.usage.replace(/^Usage:\s*/, "")}\n`);
    return error.exitCode;
  }
  if (error instanceof AppError) {
    writeStderr(`${program}: ${formatError(error)}\n`);
    if (debug) writeStderr(debugDetail(error));
    return error.exitCode;
  }
  if (error instanceof Deno.errors.NotCapable) {
    // A permission the launcher did not grant: say which, not a stack trace.
    writeStderr(`aws-okta: ${permissionMessage(error)}\n`);
    if (debug) writeStderr(debugDetail(error));
    return 1;
  }
  const message = oneLine((error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "");
  writeStderr(`aws-okta: unexpected error: ${message}; run again with --debug for details\n`);
  if (debug) writeStderr(debugDetail(error));
  return 1;
}

/**
 * Deno's "Requires net access to "h:443", run again with the --allow-net flag" as one line: the
 * flag advice does not fit an installed launcher, whose permissions are fixed in deno.json.
 */
function permissionMessage(error: Error): string {
  const first = error.message.split("\n")[0] ?? "";
  const flag = /--allow-([a-z-]+)/.exec(first)?.[1];
  const what = first.replace(/,? run again with the --allow-[a-z-]+ flag\.?$/i, "")
    .replace(/^Requires\b/, "requires");
  const hint = flag
    ? `; the "aws-okta" permission set in deno.json (used by the launcher and the binary) must grant "${flag}"`
    : "";
  return oneLine(`missing Deno permission: ${what}${hint}`);
}

function debugDetail(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      lines.push(`[debug] ${current.stack ?? current.message}`);
      current = current.cause;
    } else {
      lines.push(`[debug] ${String(current)}`);
      break;
    }
  }
  // Causes from fetch carry request URLs, whose query may hold one-time tokens: mask query values.
  return lines.join("\n[debug] caused by: ").replace(/([?&][^=\s&#]+=)[^&\s)#]+/g, "$1***") + "\n";
}

/** The mode for this process's name; the launcher's variable is removed so children do not inherit it. */
function processMode(): CliMode {
  try {
    const argv0 = Deno.env.get(ARGV0_VARIABLE);
    if (argv0 !== undefined) Deno.env.delete(ARGV0_VARIABLE);
    return cliModeOf(argv0, Deno.execPath());
  } catch {
    // No env or sys permission: main() reports that; the name cannot matter then.
    return "aws-okta";
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, processMode()));
}
