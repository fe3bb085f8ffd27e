/**
 * Runs a child process with credentials in its environment: stdio inherited, SIGINT/SIGTERM
 * forwarded, and the child's exit code returned (aws-okta lost it and always exited 1).
 *
 * @module
 */

import { AppError } from "../../errors.ts";
import { findProgram } from "../../fs/find_program.ts";

/** What to run. */
export interface ChildSpec {
  command: string;
  args: readonly string[];
  /** The complete environment of the child. */
  env: Record<string, string>;
}

const FORWARDED: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Checks that `command` can be run (a path to an executable file, or a name found on PATH) before
 * anything else happens: nobody should sit through MFA to learn about a typo.
 */
export function checkProgram(command: string, env: Record<string, string>): void {
  if (findProgram(command, { get: (name) => env[name] }) !== undefined) return;
  const hasDir = command.includes("/") || (Deno.build.os === "windows" && command.includes("\\"));
  throw new AppError(`cannot run "${command}": command not found`, {
    hint: hasDir ? "check the path" : "check the command name and PATH",
    exitCode: 127,
  });
}

/** Spawns the child and resolves with its exit code (128 + signal number when it was killed). */
export async function runChild(spec: ChildSpec): Promise<number> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(spec.command, {
      args: [...spec.args],
      env: spec.env,
      clearEnv: true,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new AppError(`cannot run "${spec.command}": command not found`, {
        hint: "check the command name and PATH",
        exitCode: 127,
        cause: error,
      });
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new AppError(`cannot run "${spec.command}": permission denied`, {
        hint: "check that the file is executable",
        exitCode: 126,
        cause: error,
      });
    }
    if ((error as { code?: unknown }).code === "E2BIG") {
      // execve refuses arguments plus environment beyond the OS limit (ARG_MAX, a single string over
      // 128 KiB on Linux); shells report it as "Argument list too long" and exit 126.
      throw new AppError(
        `cannot run "${spec.command}": its arguments and environment are too big for the OS`,
        {
          hint: "unset large environment variables or pass fewer arguments",
          exitCode: 126,
          cause: error,
        },
      );
    }
    throw error;
  }
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      try {
        child.kill(signal);
      } catch {
        // The child has already exited.
      }
    };
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  });
  try {
    const status = await child.status;
    // Deno reports a child killed by signal N with code 128 + N (SIGSEGV: 139), as shells do; on
    // Windows there are no signals and the code is the child's own.
    return status.code;
  } finally {
    for (const remove of handlers) remove();
  }
}
