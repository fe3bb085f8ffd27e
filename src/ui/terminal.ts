/**
 * The real {@linkcode Prompter}: questions and progress on stderr (never stdout, which carries
 * machine output), answers from the terminal or, without one, as lines from stdin.
 *
 * Where answers come from, decided at the first question:
 * - stdin is a terminal: read it (secrets with echo off, in raw mode);
 * - else, in mode "tty", or in mode "auto" when stdin is not a pipe or file (nobody piped answers),
 *   the controlling terminal (/dev/tty, CONIN$ on Windows) if it can be opened: the AWS CLI runs
 *   credential_process with stdout and stderr captured, so prompts are written there too;
 * - else lines from stdin, one answer per line (CI, tests, `printf 'a\nb\n' | aws-okta add`).
 *
 * Mode "stdin" never opens the terminal. AWS_OKTA_PROMPT=auto|stdin|tty overrides the mode.
 *
 * @module
 */

import type { Prompter } from "../app/context.ts";
import { AppError, UsageError } from "../errors.ts";
import { LineReader, stdinReader } from "./line_reader.ts";
import { type RawLine, readRawLine } from "./raw_input.ts";
import { writeAll, writeErr } from "./stderr.ts";

/** Where answers are read from (see the module doc). */
export type PromptMode = "auto" | "stdin" | "tty";

/** Options for {@linkcode createPrompter}. */
export interface PrompterOptions {
  /** The command's preference; AWS_OKTA_PROMPT overrides it. */
  mode: PromptMode;
  /** Environment (for AWS_OKTA_PROMPT). */
  env: { get(name: string): string | undefined };
}

/** A bad `choose()` answer is asked again this many times. */
const RETRIES = 3;
const MODES: readonly string[] = ["auto", "stdin", "tty"];

interface Channel {
  /** "terminal": a person types (echo by the terminal, raw mode for secrets); "lines": a pipe. */
  kind: "terminal" | "lines";
  reader: LineReader;
  /** The terminal whose mode is switched for secrets (terminal channels only). */
  raw?: { setRaw(mode: boolean): void };
  write(text: string): void;
}

interface Tty {
  input: Deno.FsFile;
  reader: LineReader;
  write(text: string): void;
}

/** The controlling terminal once opened; null when it cannot be. */
let tty: Tty | null | undefined;

/** Creates the prompter; nothing is opened or read until the first question. */
export function createPrompter(options: PrompterOptions): Prompter {
  let channel: Channel | undefined;
  const open = () => channel ??= openChannel(promptMode(options));

  /** Shows `prompt` and reads the answer; errors name `question`. */
  const ask = async (prompt: string, secret: boolean, question = prompt): Promise<string> => {
    const ch = open();
    // A secret's prompt appears only once echo is off, so nothing typed ahead is echoed.
    if (!secret || ch.kind === "lines") ch.write(promptText(prompt));
    if (ch.kind === "lines") {
      const line = await ch.reader.readLine();
      // The answer is not echoed, so end the prompt's line ourselves.
      ch.write("\n");
      if (line === null) throw noAnswer(question);
      return line;
    }
    const result = secret ? await readSecret(ch, promptText(prompt)) : await readTyped(ch);
    if ("line" in result) return result.line;
    throw new AppError("cancelled", { exitCode: 130 });
  };

  return {
    async text(question, defaultValue) {
      const answer = await ask(question, false);
      return defaultValue !== undefined && answer.trim() === "" ? defaultValue : answer;
    },
    secret: (question) => ask(question, true),
    async choose(question, choices) {
      if (choices.length === 0) throw new AppError(`no choices for "${label(question)}"`);
      const ch = open();
      ch.write(`${question}\n${choices.map((choice, i) => `  ${i + 1}) ${choice}\n`).join("")}`);
      let answer = "";
      for (let attempt = 0; attempt <= RETRIES; attempt++) {
        answer = (await ask(`Enter a number (1-${choices.length}):`, false, question)).trim();
        const index = /^[0-9]+$/.test(answer) ? Number(answer) - 1 : -1;
        if (index >= 0 && index < choices.length) return index;
        if (attempt < RETRIES) ch.write(`"${answer}" is not a number from 1 to ${choices.length}\n`);
      }
      throw new AppError(
        `invalid choice "${answer}" for "${label(question)}": use a number from 1 to ${choices.length}`,
      );
    },
    canAsk() {
      if (channel) return channel.kind === "terminal" || stdinIsPipeOrFile();
      const mode = promptMode(options);
      if (Deno.stdin.isTerminal() || mode === "stdin") return true;
      return openTty() !== null || (mode === "auto" && stdinIsPipeOrFile());
    },
    say(message) {
      // Where stderr is captured (credential_process), the person is at the terminal, if open.
      const target = tty && !Deno.stderr.isTerminal() ? tty.write : writeErr;
      target(`${message}\n`);
    },
  };
}

function promptMode(options: PrompterOptions): PromptMode {
  const override = options.env.get("AWS_OKTA_PROMPT");
  if (override === undefined || override === "") return options.mode;
  if (!MODES.includes(override)) {
    throw new UsageError(`invalid value "${override}" in AWS_OKTA_PROMPT: use one of ${MODES.join(", ")}`);
  }
  return override as PromptMode;
}

function openChannel(mode: PromptMode): Channel {
  if (Deno.stdin.isTerminal()) {
    const write = Deno.stderr.isTerminal() || mode === "stdin" ? writeErr : (openTty()?.write ?? writeErr);
    return { kind: "terminal", reader: stdinReader(), raw: Deno.stdin, write };
  }
  if (mode === "tty" || (mode === "auto" && !stdinIsPipeOrFile())) {
    const terminal = openTty();
    if (terminal) {
      return { kind: "terminal", reader: terminal.reader, raw: terminal.input, write: terminal.write };
    }
  }
  return { kind: "lines", reader: stdinReader(), write: writeErr };
}

/** Opens the controlling terminal once; null when there is none (daemons, CI) or it is refused. */
function openTty(): Tty | null {
  if (tty !== undefined) return tty;
  tty = null;
  try {
    const windows = Deno.build.os === "windows";
    const input = Deno.openSync(windows ? "CONIN$" : "/dev/tty", { read: true, write: true });
    if (!input.isTerminal()) {
      input.close();
      return tty;
    }
    const output = windows ? Deno.openSync("CONOUT$", { write: true }) : input;
    tty = {
      input,
      reader: new LineReader((buffer) => input.read(buffer), 4096),
      write: (text) => writeAll((bytes) => output.writeSync(bytes), text),
    };
  } catch {
    // No controlling terminal (ENXIO), no console, or no permission: answers come from stdin.
  }
  return tty;
}

/** True when someone piped or redirected answers in (as opposed to /dev/null or a closed stdin). */
function stdinIsPipeOrFile(): boolean {
  if (Deno.build.os === "windows") return true;
  try {
    const info = Deno.statSync("/dev/stdin");
    return info.isFile || info.isFifo === true || info.isSocket === true;
  } catch {
    return false;
  }
}

/** A visible answer: the terminal echoes and edits in its normal mode; Ctrl-D ends input. */
async function readTyped(ch: Channel): Promise<RawLine> {
  const line = await ch.reader.readLine();
  if (line !== null) return { line };
  ch.write("\n");
  return { cancelled: true };
}

/** A secret: echo off via raw mode, restored on every way out (Enter, Ctrl-C, SIGINT, exit). */
async function readSecret(ch: Channel, prompt: string): Promise<RawLine> {
  const terminal = ch.raw!;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      terminal.setRaw(false);
    } catch {
      // Already closed: nothing left to restore.
    }
  };
  let onSignal = () => {};
  const interrupted = new Promise<RawLine>((resolve) => onSignal = () => resolve({ cancelled: true }));
  let listening = false;
  terminal.setRaw(true);
  try {
    globalThis.addEventListener("unload", restore);
    try {
      Deno.addSignalListener("SIGINT", onSignal);
      listening = true;
    } catch {
      // Signals unsupported here: raw mode still turns Ctrl-C into a byte we handle.
    }
    ch.write(prompt);
    const result = await Promise.race([readRawLine(() => ch.reader.readByte()), interrupted]);
    return "eof" in result ? { cancelled: true } : result;
  } finally {
    restore();
    globalThis.removeEventListener("unload", restore);
    if (listening) Deno.removeSignalListener("SIGINT", onSignal);
    ch.write("\n");
  }
}

function promptText(question: string): string {
  return /\s$/.test(question) ? question : `${question} `;
}

/** The question without its trailing colon, for error messages. */
function label(question: string): string {
  return question.trim().replace(/\s*[:?]$/, "");
}

function noAnswer(question: string): AppError {
  return new AppError(`no answer for "${label(question)}": stdin is closed and there is no terminal`, {
    hint: "run it in a terminal, or pipe the answers to stdin, one per line",
  });
}
