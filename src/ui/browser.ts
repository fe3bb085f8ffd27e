/**
 * Opening a URL in the user's browser, for the console sign-in (`login`, from $BROWSER) and the
 * device-flow verification page (okta-aws-cli's `--open-browser-command`): a configured command,
 * split as a shell would (quotes honoured), or the platform's opener (xdg-open, open, rundll32). The
 * opener's output is discarded so nothing reaches our stdout.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** A configured browser command line. */
export interface BrowserCommand {
  /** The command line, split by {@linkcode splitCommand}. */
  line: string;
  /**
   * True for $BROWSER's convention: `%s` in a word stands for the URL, appended when no word has it.
   * False for okta-aws-cli's `--open-browser-command`: the URL is always appended.
   */
  placeholder: boolean;
}

/**
 * $BROWSER as a {@linkcode BrowserCommand}: the first of its colon-separated commands on Unix, the
 * whole value on Windows (whose paths hold colons); undefined when unset or blank.
 */
export function browserFromEnv(
  value: string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): BrowserCommand | undefined {
  const line = (os === "windows" ? value : value?.split(":")[0])?.trim();
  return line ? { line, placeholder: true } : undefined;
}

/**
 * Splits a command line into words as okta-aws-cli does (Go's github.com/google/shlex): blanks
 * (space, tab, CR, LF) separate; single quotes keep everything; inside double quotes a backslash
 * takes the next character literally (so `"Google\ Chrome"` is `Google Chrome`); outside quotes a
 * backslash escapes the next character; a `#` that starts a word comments out the rest of the line.
 * With `backslashEscapes: false` (Windows' $BROWSER, where `C:\Browsers\b.exe` is a path) a
 * backslash is an ordinary character.
 */
export function splitCommand(line: string, backslashEscapes = true): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let state: "plain" | "single" | "double" | "comment" = "plain";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    const escape = ch === "\\" && backslashEscapes;
    if (state === "comment") {
      if (ch === "\n") state = "plain";
    } else if (state === "single") {
      if (ch === "'") state = "plain";
      else word += ch;
    } else if (state === "double") {
      if (ch === '"') state = "plain";
      else if (escape) {
        if (i + 1 >= line.length) break;
        word += line[++i];
      } else word += ch;
    } else if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (ch === "#" && !inWord) {
      state = "comment";
    } else {
      inWord = true;
      if (ch === "'") state = "single";
      else if (ch === '"') state = "double";
      else if (escape) {
        if (i + 1 >= line.length) throw new AppError("the browser command ends with a lone backslash");
        word += line[++i];
      } else word += ch;
    }
  }
  if (state === "single" || state === "double") {
    const quote = state === "single" ? "'" : '"';
    throw new AppError(`unterminated ${quote} quote in the browser command`);
  }
  if (inWord) words.push(word);
  return words;
}

/** The platform's default opener for a URL. */
export function defaultOpener(url: string, os: typeof Deno.build.os = Deno.build.os): string[] {
  if (os === "darwin") return ["open", url];
  // Not `cmd /c start`: cmd would treat the "&" of the query string as a command separator.
  if (os === "windows") return ["rundll32", "url.dll,FileProtocolHandler", url];
  return ["xdg-open", url];
}

/** The program and arguments that open `url`: `command` when given, else the platform's opener. */
export function openerArgv(
  url: string,
  command: BrowserCommand | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): string[] {
  if (!command) return defaultOpener(url, os);
  const words = splitCommand(command.line, os !== "windows" || !command.placeholder);
  if (words.length === 0) return []; // openBrowser says the command is empty.
  if (!command.placeholder) return [...words, url];
  const argv = words.map((word) => word.replaceAll("%s", url));
  if (!words.some((word) => word.includes("%s"))) argv.push(url);
  return argv;
}

/** How {@linkcode openBrowser} waits and reports. */
export interface OpenBrowserOptions {
  /**
   * Wait for the opener to exit and throw when it fails (`login`). Otherwise it is started and left
   * running past our exit (the device flow polls at once), and a failed exit goes to `onError`.
   */
  wait?: boolean;
  /** Hint of the errors thrown. */
  hint?: string;
  /** Told when an opener that was not waited for exits with a failure. */
  onError?: (error: AppError) => void;
}

/**
 * Opens `url` with `command` or the platform's opener. Throws an {@linkcode AppError} naming the
 * program (never the URL, which may carry a sign-in token) when it cannot be started, or, with
 * `wait`, when it exits with a failure.
 */
export async function openBrowser(
  url: string,
  command: BrowserCommand | undefined,
  options: OpenBrowserOptions = {},
): Promise<void> {
  const hint = options.hint ? { hint: options.hint } : {};
  const [program, ...args] = openerArgv(url, command);
  if (!program) throw new AppError("the browser command is empty", hint);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "command not found"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : "it could not be started";
    throw new AppError(`cannot open a browser with "${program}": ${reason}`, { ...hint, cause: error });
  }
  const failed = (code: number) =>
    new AppError(`cannot open a browser: "${program}" exited with status ${code}`, hint);
  if (options.wait) {
    const status = await child.status;
    if (!status.success) throw failed(status.code);
    return;
  }
  // Let aws-okta exit while the browser keeps running.
  child.unref();
  child.status.then((status) => {
    if (!status.success) options.onError?.(failed(status.code));
  }, () => {});
}
