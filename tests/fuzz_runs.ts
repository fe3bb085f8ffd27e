/**
 * How many inputs each fuzz property tries: a sample (a few hundred) in `make test`, and FUZZ_RUNS
 * of them in `make fuzz` (tens of thousands). FUZZ_SEED replays a failing run that fast-check
 * reported.
 *
 * @module
 */

/** fast-check parameters for a fuzz property: `sample` runs unless FUZZ_RUNS says otherwise. */
export function fuzzParameters(sample: number): { numRuns: number; seed?: number; endOnFailure: true } {
  const runs = Number(Deno.env.get("FUZZ_RUNS") ?? "");
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? "");
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : sample,
    ...(Deno.env.get("FUZZ_SEED") && Number.isInteger(seed) ? { seed } : {}),
    endOnFailure: true,
  };
}
