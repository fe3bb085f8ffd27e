/**
 * Finding an executable the way a shell would: a name is searched on PATH (with PATHEXT on
 * Windows), a path with a directory is taken as it is.
 *
 * @module
 */

import type { EnvReader } from "../env.ts";

/** The executable `command` resolves to, or undefined. Errors other than "not there" propagate. */
export function findProgram(
  command: string,
  env: EnvReader,
): string | undefined {
  const windows = Deno.build.os === "windows";
  const hasDir = command.includes("/") || (windows && command.includes("\\"));
  // Windows takes "/" too, but a path with both separators reads badly in messages.
  const separator = windows ? "\\" : "/";
  const extensions = windows ? ["", ...(env.get("PATHEXT") ?? ".EXE;.CMD;.BAT;.COM").split(";")] : [""];
  const dirs = hasDir
    ? [""]
    : (env.get("PATH") ?? env.get("Path") ?? "").split(windows ? ";" : ":").filter(Boolean);
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = dir
        ? `${dir.replace(windows ? /[/\\]+$/ : /\/+$/, "")}${separator}${command}${ext}`
        : `${command}${ext}`;
      try {
        const info = Deno.statSync(candidate);
        if (info.isFile && (windows || info.mode === null || (info.mode & 0o111) !== 0)) return candidate;
      } catch (error) {
        // Without read permission every lookup fails: let the caller say that, not "not found".
        if (error instanceof Deno.errors.NotCapable) throw error;
      }
    }
  }
  return undefined;
}
