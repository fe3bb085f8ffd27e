/**
 * Wall time of one run of a program, for `make bench` and the release smoke test's start-up line
 * (printed, never asserted).
 *
 * @module
 */

/** Runs `program args` (default: this Deno) in exactly `env` and returns its wall time in ms; throws on failure. */
export async function timeCommand(
  args: string[],
  env: Record<string, string>,
  program = Deno.execPath(),
): Promise<number> {
  const started = performance.now();
  const output = await new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  })
    .output();
  const elapsed = performance.now() - started;
  if (!output.success) {
    throw new Error(`${program} ${args.join(" ")} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return elapsed;
}
