/**
 * Opens a URL in the user's browser: `$BROWSER` when set (the first of its colon-separated
 * commands, `%s` replaced by the URL or the URL appended), else the OS opener (xdg-open, open,
 * or the URL handler on Windows).
 *
 * The URL may carry a sign-in token: it never appears in an error message.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import { defaultOpener } from "../ui/browser.ts";

/** A program and its arguments. */
export interface OpenerCommand {
  command: string;
  args: string[];
}

/** The command that opens `url`, from $BROWSER or the OS. */
export function openerCommand(
  url: string,
  browser: string | undefined,
  os: string = Deno.build.os,
): OpenerCommand {
  // $BROWSER holds a colon-separated list on Unix (Windows paths contain colons).
  const entry = (os === "windows" ? browser : browser?.split(":")[0])?.trim();
  if (entry) {
    const words = entry.split(/\s+/);
    const replaced = words.map((word) => word.replaceAll("%s", url));
    const args = replaced.slice(1);
    if (!words.some((word) => word.includes("%s"))) args.push(url);
    return { command: replaced[0]!, args };
  }
  const [command, ...args] = defaultOpener(url, os as typeof Deno.build.os);
  return { command: command!, args };
}

/** Runs the opener and waits for it; failures say to print the URL instead. */
export async function openBrowser(
  url: string,
  env: { get(name: string): string | undefined },
): Promise<void> {
  const { command, args } = openerCommand(url, env.get("BROWSER"));
  const hint = 'use "--stdout" to print the URL instead, or set BROWSER';
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdin: "null", stdout: "null", stderr: "piped" })
      .output();
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "command not found"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : "it could not be started";
    throw new AppError(`cannot open a browser with "${command}": ${reason}`, { hint, cause: error });
  }
  if (!output.success) {
    throw new AppError(`cannot open a browser: "${command}" exited with status ${output.code}`, { hint });
  }
}
