/**
 * Opening the device-flow verification page in a browser: with a configured command (the URL is
 * appended as its last argument, as okta-aws-cli's `--open-browser-command`) or the platform's
 * opener (xdg-open, open, rundll32). The command is started and not waited for, so polling starts at
 * once; its output is discarded so nothing reaches our stdout.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/**
 * Splits a command line into words as okta-aws-cli does (Go's github.com/google/shlex): blanks
 * (space, tab, CR, LF) separate; single quotes keep everything; inside double quotes a backslash
 * takes the next character literally (so `"Google\ Chrome"` is `Google Chrome`); outside quotes a
 * backslash escapes the next character; a `#` that starts a word comments out the rest of the line.
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let state: "plain" | "single" | "double" | "comment" = "plain";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (state === "comment") {
      if (ch === "\n") state = "plain";
    } else if (state === "single") {
      if (ch === "'") state = "plain";
      else word += ch;
    } else if (state === "double") {
      if (ch === '"') state = "plain";
      else if (ch === "\\") {
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
      else if (ch === "\\") {
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

/**
 * Starts the browser on `url` and returns without waiting for it. A browser that cannot be
 * started is reported through `onError` (the user can still open the URL by hand).
 */
export function openBrowser(
  url: string,
  command: string | undefined,
  onError: (message: string) => void,
): void {
  const argv = command ? [...splitCommand(command), url] : defaultOpener(url);
  const [program, ...args] = argv;
  if (!program) {
    onError("the browser command is empty");
    return;
  }
  try {
    const child = new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    // Let aws-okta exit while the browser keeps running.
    child.unref();
    child.status.then((status) => {
      if (!status.success) onError(`the browser command "${program}" exited with code ${status.code}`);
    }, () => {});
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "command not found" : String(error).split("\n")[0];
    onError(`cannot start the browser "${program}": ${reason}`);
  }
}
