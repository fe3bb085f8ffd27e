/**
 * Error types shared by every layer. Each carries the exit code `main.ts` uses and an optional hint
 * that tells the user how to fix the cause.
 *
 * Messages are printed after the program name (`aws-okta: the private key is encrypted; decrypt it
 * first, …`), so they follow the Go and Unix convention for text after a prefix: they start
 * lower-case unless the first word is always written with a capital (Okta, Duo, AWS, STS, an
 * environment variable, an API name). Hints follow the same rule. Values are quoted, details
 * follow ": ", and there is no trailing period. `errors_test.ts` checks every message literal in
 * `src/`. Lines said to the person on their own (prompts, progress, "Wrong PIN; try again") have no
 * prefix and are sentence case.
 *
 * @module
 */

/** Options for {@linkcode AppError}. */
export interface AppErrorOptions {
  /** What the user can do about it, shown after the message on the same line. */
  hint?: string;
  /** The underlying error (shown only with `--debug`). */
  cause?: unknown;
  /** Process exit code; 1 unless stated. */
  exitCode?: number;
}

/** An expected failure: printed as one line on stderr, no stack trace unless `--debug`. */
export class AppError extends Error {
  /** Process exit code. */
  readonly exitCode: number;
  /** How to fix the cause, if known. */
  readonly hint: string | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/**
 * A login would need the person (an MFA factor, a device sign-in, a question) where nobody may be
 * asked: `exec --server` refreshing credentials while its command runs.
 */
export class InteractionNeededError extends AppError {
  constructor(what: string) {
    super(`a new Okta sign-in needs ${what}, which is not asked for while the command runs`);
    this.name = "InteractionNeededError";
  }
}

/** Bad command-line usage: unknown flag, missing argument, bad flag value. Exit code 2. */
export class UsageError extends AppError {
  /** The usage line of the command, printed after the message. */
  readonly usage: string | undefined;

  constructor(message: string, options: AppErrorOptions & { usage?: string } = {}) {
    super(message, { ...options, exitCode: 2 });
    this.name = "UsageError";
    this.usage = options.usage;
  }
}

/**
 * Renders an error as the single line `main.ts` prints (without the program name). Messages quote
 * values from config files and servers, so control characters are escaped: a CR, LF or terminal
 * escape sequence in a value can neither split the line nor rewrite the terminal.
 */
export function formatError(error: AppError): string {
  return oneLine(error.hint ? `${error.message}; ${error.hint}` : error.message);
}

/** Escapes control characters (C0, DEL, C1) as `\r`, `\n`, `\t` or `\xHH`, so `text` stays one line. */
export function oneLine(text: string): string {
  // deno-lint-ignore no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => {
    if (char === "\r") return "\\r";
    if (char === "\n") return "\\n";
    if (char === "\t") return "\\t";
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/**
 * Text from a server (an Okta `errorSummary`, a Duo reason) as part of a one-line message:
 * whitespace runs become one space, a final period goes (our messages end without one), and text
 * longer than `max` characters is cut with "...".
 */
export function serverText(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim().replace(/\.$/, "");
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** True for a plain JSON object (not null, not an array): the first check on any parsed server reply. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
