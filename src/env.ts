/**
 * The one contract for reading environment variables. `Deno.env` satisfies it; tests pass a map.
 * It sits beside errors.ts, below every room, so that any layer can take it as a type.
 *
 * @module
 */

/** Read access to environment variables (a subset of `Deno.env`). */
export interface EnvReader {
  /** The variable's value, or undefined when unset. */
  get(name: string): string | undefined;
}
