/**
 * The real {@linkcode Prompter}: questions and progress on stderr (never stdout, which carries
 * machine output), answers from the terminal or, without one, as lines from stdin.
 *
 * Where answers come from, decided at the first question:
 * - stdin is a terminal: read it (secrets with echo off, in raw mode);
 * - else, in mode "tty", or in mode "auto" when stdin is not a pipe or file (nobody piped answers),
 *   the controlling terminal if there is one (through a shell, see tty_relay.ts; CONIN$ on
 *   Windows): the AWS CLI runs credential_process with stdout and stderr captured;
 * - else lines from stdin, one answer per line (CI, tests, `printf 'a\nb\n' | aws-okta add`).
 *
 * Progress (`say`) goes to stderr when it is a terminal, else to the controlling terminal when
 * there is one (a person waiting on a captured credential_process still sees "push sent" and the
 * number to tap), else to stderr.
 *
 * Mode "stdin" never opens the terminal. AWS_OKTA_PROMPT=auto|stdin|tty overrides the mode.
 *
 * @module
 */

import type { Prompter } from "./prompter.ts";
import { AppError, UsageError } from "../errors.ts";
import { LineReader, stdinReader } from "./line_reader.ts";
import { type RawLine, readRawLine } from "./raw_input.ts";
import { writeAll, writeErr } from "./stderr.ts";
import { openTtyRelay, type TtyRelay } from "./tty_relay.ts";
import type { EnvReader } from "../env.ts";

/**
 * Where answers are read from (see the module doc): "tty" prefers the terminal even when stdin is
 * a pipe (credential_process).
 */
export type PromptMode = "auto" | "stdin" | "tty";

/** Options for {@linkcode createPrompter}. */
export interface PrompterOptions {
  /** The command's preference; AWS_OKTA_PROMPT overrides it. */
  mode: PromptMode;
  /** Environment (for AWS_OKTA_PROMPT). */
  env: EnvReader;
}

/** A bad `choose()` answer is asked again this many times. */
const RETRIES = 3;
const MODES: readonly string[] = ["auto", "stdin", "tty"];

interface Channel {
  /** "terminal": a person types (echo by the terminal, echo off for secrets); "lines": a pipe. */
  kind: "terminal" | "lines";
  /** Shows the prompt and reads one answer. */
  read(prompt: string, secret: boolean): Promise<RawLine>;
  write(text: string): void;
  /** Why answers come from stdin (lines channels): what a "no answer" error says, truthfully. */
  why?: { reason: string; hint: string };
}

/** The user's terminal when stdin, stdout and stderr are elsewhere (the Windows console alike). */
type Tty = TtyRelay;

/** The controlling terminal once looked for; null when there is none. */
let tty: Tty | null | undefined;
/**
 * Why the terminal could not be opened: "none" when there is no controlling terminal, "denied"
 * when Deno's permissions refused to try, else the OS's reason.
 */
let ttyFailure: string | undefined;

/** Creates the prompter; nothing is opened or read until the first question. */
export function createPrompter(options: PrompterOptions): Prompter {
  let channel: Channel | undefined;
  let mode: PromptMode | undefined;
  const promptModeOnce = () => mode ??= promptMode(options);
  const open = () => channel ??= openChannel(promptModeOnce());

  /** Shows `prompt` and reads the answer; errors name `question`. */
  const ask = async (prompt: string, secret: boolean, question = prompt): Promise<string> => {
    const ch = open();
    const result = await ch.read(promptText(prompt), secret);
    if ("line" in result) return result.line;
    if (ch.kind === "lines") throw noAnswer(question, ch.why);
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
      // Where stderr is captured (credential_process), the person is at the terminal, if any.
      if (!Deno.stderr.isTerminal() && promptModeOnce() !== "stdin" && openTty()?.write(`${message}\n`)) {
        return;
      }
      writeErr(`${message}\n`);
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
    // Only a captured stderr sends the prompts to the controlling terminal (looked for then).
    const write = (text: string) => {
      if (Deno.stderr.isTerminal() || mode === "stdin" || !openTty()?.write(text)) writeErr(text);
    };
    return { kind: "terminal", read: directReader(stdinReader(), Deno.stdin, write), write };
  }
  const piped = stdinIsPipeOrFile();
  if (mode === "tty" || (mode === "auto" && !piped)) {
    const terminal = openTty();
    if (terminal) {
      const write = (text: string) => {
        if (!terminal.write(text)) writeErr(text);
      };
      return { kind: "terminal", read: terminal.read, write };
    }
  }
  const reader = stdinReader();
  return {
    kind: "lines",
    async read(prompt) {
      writeErr(prompt);
      const line = await reader.readLine();
      // The answer is not echoed, so end the prompt's line ourselves.
      writeErr("\n");
      return line === null ? { eof: true } : { line };
    },
    write: writeErr,
    why: linesReason(mode, piped),
  };
}

/** Why answers are read as lines from stdin, said as it is: a terminal may well be there. */
function linesReason(mode: PromptMode, piped: boolean): { reason: string; hint: string } {
  const ranOut = "the answers piped to stdin ran out";
  if (mode === "stdin") {
    return {
      reason: piped ? ranOut : "stdin is closed and answers are read from stdin only",
      hint: "pipe the answers to stdin, one per line, or set AWS_OKTA_PROMPT=tty to answer at the terminal",
    };
  }
  // Mode auto with piped answers never looks for a terminal.
  if (ttyFailure === undefined) {
    return { reason: ranOut, hint: "pipe one answer per line for every question" };
  }
  const start = piped ? ranOut : "stdin is closed";
  const hint = "run it in a terminal, or pipe the answers to stdin, one per line";
  if (ttyFailure === "none") return { reason: `${start} and there is no terminal`, hint };
  if (ttyFailure === "denied") {
    return {
      reason:
        `${start} and no terminal can be opened: the Deno permission set does not grant access to "/dev/tty"`,
      hint,
    };
  }
  return { reason: `${start} and the terminal cannot be opened: ${ttyFailure}`, hint };
}

/** Reads answers from a terminal we hold open (stdin, or the Windows console). */
function directReader(
  reader: LineReader,
  raw: { setRaw(mode: boolean): void },
  write: (text: string) => void,
): Channel["read"] {
  return (prompt, secret) => {
    if (secret) return readSecret(reader, raw, write, prompt);
    write(prompt);
    return readTyped(reader, write);
  };
}

/** Finds the controlling terminal once; null when there is none (daemons, CI) or it is refused. */
function openTty(): Tty | null {
  if (tty !== undefined) return tty;
  if (Deno.build.os !== "windows") {
    tty = openTtyRelay();
    // The relay finds no terminal when there is none, or when no shell may be run to reach it.
    if (!tty) ttyFailure = "none";
    return tty;
  }
  tty = null;
  try {
    const input = Deno.openSync("CONIN$", { read: true, write: true });
    if (!input.isTerminal()) {
      input.close();
      return tty;
    }
    const output = Deno.openSync("CONOUT$", { write: true });
    const write = (text: string) => {
      try {
        writeAll((bytes) => output.writeSync(bytes), text);
        return true;
      } catch {
        return false;
      }
    };
    const read = directReader(new LineReader((buffer) => input.read(buffer), 4096), input, write);
    tty = { write, read };
  } catch (error) {
    // No console, or no permission: answers come from stdin.
    ttyFailure = ttyFailureOf(error);
  }
  if (!tty) ttyFailure ??= "none";
  return tty;
}

function ttyFailureOf(error: unknown): string {
  // ENXIO ("no such device or address"): the process has no controlling terminal.
  const enxio = error instanceof Error && /\(os error 6\)|no such device or address/i.test(error.message);
  if (error instanceof Deno.errors.NotFound || enxio) return "none";
  // Deno refused before the OS was asked, so whether there is a terminal is unknown (the /proc
  // files that would tell need all permissions too).
  if (error instanceof Deno.errors.NotCapable) return "denied";
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.replace(/ \(os error \d+\).*$/, "").toLowerCase();
}

/** True when someone piped or redirected answers in (as opposed to /dev/null or a closed stdin). */
function stdinIsPipeOrFile(): boolean {
  if (Deno.build.os === "windows") return true;
  // The shell tests our stdin for us: Deno opens nothing under /dev without --allow-all.
  try {
    return new Deno.Command("/bin/sh", {
      args: ["-c", "test -p /dev/stdin || test -f /dev/stdin || test -S /dev/stdin"],
      clearEnv: true,
      stdin: "inherit",
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/** A visible answer: the terminal echoes and edits in its normal mode; Ctrl-D ends input. */
async function readTyped(reader: LineReader, write: (text: string) => void): Promise<RawLine> {
  const line = await reader.readLine();
  if (line !== null) return { line };
  write("\n");
  return { cancelled: true };
}

/** A secret: echo off via raw mode, restored on every way out (Enter, Ctrl-C, SIGINT, exit). */
async function readSecret(
  reader: LineReader,
  terminal: { setRaw(mode: boolean): void },
  write: (text: string) => void,
  prompt: string,
): Promise<RawLine> {
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
  // The prompt appears only once echo is off, so nothing typed ahead is echoed.
  terminal.setRaw(true);
  try {
    globalThis.addEventListener("unload", restore);
    try {
      Deno.addSignalListener("SIGINT", onSignal);
      listening = true;
    } catch {
      // Signals unsupported here: raw mode still turns Ctrl-C into a byte we handle.
    }
    write(prompt);
    const result = await Promise.race([readRawLine(() => reader.readByte()), interrupted]);
    return "eof" in result ? { cancelled: true } : result;
  } finally {
    restore();
    globalThis.removeEventListener("unload", restore);
    if (listening) Deno.removeSignalListener("SIGINT", onSignal);
    write("\n");
  }
}

function promptText(question: string): string {
  return /\s$/.test(question) ? question : `${question} `;
}

/** The question without its trailing colon, for error messages. */
function label(question: string): string {
  return question.trim().replace(/\s*[:?]$/, "");
}

function noAnswer(question: string, why = { reason: "stdin is closed", hint: "" }): AppError {
  return new AppError(
    `no answer for "${label(question)}": ${why.reason}`,
    why.hint ? { hint: why.hint } : {},
  );
}
