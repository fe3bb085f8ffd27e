/**
 * The launcher as users install it: `make install PREFIX=<temp>` once per test process (or the one
 * AWS_OKTA_E2E_BIN names), for tests where a real parent (the AWS CLI, a shell, a terminal) runs it.
 *
 * @module
 */

import type { RunResult, World } from "./harness.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

let installed: Promise<string> | undefined;

/** The path of an installed `aws-okta` launcher; its directory goes first on PATH. */
export function installedLauncher(): Promise<string> {
  return installed ??= (async () => {
    const given = Deno.env.get("AWS_OKTA_E2E_BIN");
    if (given) return given;
    const prefix = await Deno.makeTempDir({ prefix: "aws-okta-install-" });
    const output = await new Deno.Command("make", {
      args: ["--no-print-directory", "-C", ROOT, "install", `PREFIX=${prefix}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`make install failed:\n${new TextDecoder().decode(output.stderr)}`);
    }
    return `${prefix}/bin/aws-okta`;
  })();
}

/** Runs the installed launcher with `args` in the world's environment plus `env` (undefined unsets). */
export async function runInstalled(
  world: World,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<RunResult> {
  const childEnv: Record<string, string> = { ...world.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const output = await new Deno.Command(await installedLauncher(), {
    args: [...args],
    env: childEnv,
    clearEnv: true,
    cwd: world.home,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
