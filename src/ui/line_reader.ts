/**
 * A buffered reader of lines and bytes over a `read(buffer)` source (stdin, /dev/tty).
 *
 * Every prompt of the process shares one reader per source, so bytes read ahead for one prompt
 * serve the next. From a pipe or file it reads one byte at a time and so never consumes past the
 * answer it needs: whatever follows stays in stdin for a child process (`exec`).
 *
 * @module
 */

/** Reads into `buffer`; resolves to the byte count, or null at end of input. */
export type ReadFn = (buffer: Uint8Array) => Promise<number | null>;

const decoder = new TextDecoder();
const NEWLINE = 0x0a;
const CR = 0x0d;

/** Lines (without `\n` or `\r\n`) and single bytes from a byte source. */
export class LineReader {
  #read: ReadFn;
  #chunk: Uint8Array;
  #pending: Uint8Array = new Uint8Array(0);
  #eof = false;
  #queue: Promise<unknown> = Promise.resolve();

  /** `chunkSize` 1 reads exactly up to the end of each line; terminals can use more. */
  constructor(read: ReadFn, chunkSize: number) {
    this.#read = read;
    this.#chunk = new Uint8Array(chunkSize);
  }

  /** The next line; a last line without a newline counts; null at end of input. */
  readLine(): Promise<string | null> {
    return this.#serial(async () => {
      for (;;) {
        const end = this.#pending.indexOf(NEWLINE);
        if (end >= 0) {
          const line = this.#take(end + 1).subarray(0, end);
          return decoder.decode(line.at(-1) === CR ? line.subarray(0, -1) : line);
        }
        if (!(await this.#fill())) {
          return this.#pending.length > 0 ? decoder.decode(this.#take(this.#pending.length)) : null;
        }
      }
    });
  }

  /** The next byte, or null at end of input. */
  readByte(): Promise<number | null> {
    return this.#serial(async () => {
      if (this.#pending.length === 0 && !(await this.#fill())) return null;
      return this.#take(1)[0] ?? null;
    });
  }

  /** Runs reads one after another, so overlapping callers never interleave bytes. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => {});
    return result;
  }

  #take(count: number): Uint8Array {
    const head = this.#pending.slice(0, count);
    this.#pending = this.#pending.slice(count);
    return head;
  }

  /** Reads one chunk into the buffer; false at end of input. */
  async #fill(): Promise<boolean> {
    while (!this.#eof) {
      const count = await this.#read(this.#chunk);
      if (count === null) {
        this.#eof = true;
        break;
      }
      if (count === 0) continue;
      const joined = new Uint8Array(this.#pending.length + count);
      joined.set(this.#pending);
      joined.set(this.#chunk.subarray(0, count), this.#pending.length);
      this.#pending = joined;
      return true;
    }
    return false;
  }
}

let stdinLines: LineReader | undefined;

/** The process-wide reader over stdin. */
export function stdinReader(): LineReader {
  stdinLines ??= new LineReader((buffer) => Deno.stdin.read(buffer), Deno.stdin.isTerminal() ? 4096 : 1);
  return stdinLines;
}
