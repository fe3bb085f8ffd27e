/**
 * Line editing for a terminal in raw mode (echo off), used for secrets: Enter ends the line,
 * Backspace deletes a character, Ctrl-U clears the line, Ctrl-C cancels, Ctrl-D on an empty line is
 * end of input, and escape sequences (arrow keys) are ignored.
 *
 * @module
 */

/** What the user did: typed a line, cancelled (Ctrl-C) or ended input (Ctrl-D, EOF). */
export type RawLine = { line: string } | { cancelled: true } | { eof: true };

const decoder = new TextDecoder();

/** Reads one line of raw-mode keystrokes from `nextByte` without echoing anything. */
export async function readRawLine(nextByte: () => Promise<number | null>): Promise<RawLine> {
  const bytes: number[] = [];
  for (;;) {
    const byte = await nextByte();
    if (byte === null) return bytes.length > 0 ? { line: decode(bytes) } : { eof: true };
    switch (byte) {
      case 0x0d: // Enter
      case 0x0a:
        return { line: decode(bytes) };
      case 0x03: // Ctrl-C
        return { cancelled: true };
      case 0x04: // Ctrl-D
        if (bytes.length === 0) return { eof: true };
        break;
      case 0x7f: // Backspace
      case 0x08:
        // Drop UTF-8 continuation bytes, then the lead byte: one character.
        while (bytes.length > 0 && ((bytes.at(-1) ?? 0) & 0xc0) === 0x80) bytes.pop();
        bytes.pop();
        break;
      case 0x15: // Ctrl-U
        bytes.length = 0;
        break;
      case 0x1b: // ESC: skip a CSI/SS3 sequence such as an arrow key
        await skipEscape(nextByte);
        break;
      default:
        if (byte >= 0x20) bytes.push(byte);
    }
  }
}

async function skipEscape(nextByte: () => Promise<number | null>): Promise<void> {
  const kind = await nextByte();
  if (kind !== 0x5b && kind !== 0x4f) return; // "[" or "O"
  for (;;) {
    const byte = await nextByte();
    if (byte === null || (byte >= 0x40 && byte <= 0x7e)) return;
  }
}

function decode(bytes: number[]): string {
  return decoder.decode(new Uint8Array(bytes));
}
