/**
 * Unbuffered writes to stderr, safe to call from any layer (no console formatting, no npm).
 *
 * @module
 */

const encoder = new TextEncoder();

/** Writes `text` to stderr in full (writeSync may write only part of a buffer). */
export function writeErr(text: string): void {
  writeAll((bytes) => Deno.stderr.writeSync(bytes), text);
}

/** Writes all of `text` through a writeSync-like function. */
export function writeAll(write: (bytes: Uint8Array) => number, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(write(bytes));
}
