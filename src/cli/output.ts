/**
 * The only writer to stdout: commands print machine output (JSON, export lines, URLs, help) here.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Writes text to stdout completely (synchronously, so nothing is lost before exit). */
export function writeStdout(text: string): void {
  writeAll(Deno.stdout, encoder.encode(text));
}

/** Writes text to stderr completely. */
export function writeStderr(text: string): void {
  writeAll(Deno.stderr, encoder.encode(text));
}

function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += stream.writeSync(bytes.subarray(offset));
}
