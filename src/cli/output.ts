/**
 * The only writer to stdout: commands print machine output (JSON, export lines, URLs, help) here.
 *
 * @module
 */

import { AppError } from "../errors.ts";

const encoder = new TextEncoder();

/**
 * Writes text to stdout completely (synchronously, so nothing is lost before exit). A write that
 * fails (the reader of a pipe exited, a full disk) is an error: the caller did not get what it
 * asked for. Anything cached before the write stays cached.
 */
export function writeStdout(text: string): void {
  try {
    writeAll(Deno.stdout, encoder.encode(text));
  } catch (error) {
    if (!(error instanceof Error) || error instanceof Deno.errors.NotCapable) throw error;
    const broken = error instanceof Deno.errors.BrokenPipe;
    const reason = broken ? "broken pipe" : error.message.replace(/ \(os error \d+\).*$/s, "").toLowerCase();
    throw new AppError(`cannot write to stdout: ${reason}`, {
      hint: broken
        ? "the program reading aws-okta's output exited before reading it"
        : "check where stdout is redirected",
      cause: error,
    });
  }
}

/** Writes text to stderr completely. */
export function writeStderr(text: string): void {
  writeAll(Deno.stderr, encoder.encode(text));
}

function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += stream.writeSync(bytes.subarray(offset));
}
