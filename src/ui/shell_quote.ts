/**
 * Shell quoting: `export` lines that set environment variables in each shell aws-okta writes for
 * (`env`, okta-aws-cli's `env-var` format), quoted so that every value reads back byte for byte.
 * Pure functions; no npm imports.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** The shells {@linkcode exportLines} writes for. */
export type Shell = "bash" | "zsh" | "sh" | "fish" | "powershell" | "cmd";

/** Every {@linkcode Shell}, for flag validation and help. */
export const SHELLS: readonly Shell[] = Object.freeze(["bash", "zsh", "sh", "fish", "powershell", "cmd"]);

/**
 * One line per variable that sets and exports it in `shell`, quoted so that any value round-trips:
 * sh/bash/zsh `export K='v'`, fish `set -gx K 'v'`, PowerShell `$Env:K = 'v'`, cmd `set "K=v"`.
 * For sh/bash/zsh and fish a value that needs no quoting is written bare (`export K=v`), as Go
 * aws-okta and okta-aws-cli print AWS keys, so scripts that cut at "=" keep working.
 * Throws an {@linkcode AppError} for a value the shell cannot carry (NUL anywhere; for cmd also
 * `%`, `!`, `"` and line breaks), never echoing the value, which may be a secret.
 */
export function exportLines(vars: Record<string, string>, shell: Shell): string {
  let out = "";
  for (const [name, value] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new AppError(`invalid environment variable name "${name}"`);
    }
    if (value.includes("\0")) throw unsupported(name, shell, "a NUL character");
    out += `${exportLine(name, value, shell)}\n`;
  }
  return out;
}

/**
 * Characters no POSIX shell nor fish treats specially in a word (Go's shellescape set), except:
 * zsh expands `=cmd` at the start of a value and after a ":", fish expands a leading `%self`.
 */
const BARE_WORD = /^[\w@+:,./-][\w@%+=:,./-]*$/;

/** True when `value` reads back unchanged written bare in sh, bash, zsh and fish. */
function isBareWord(value: string): boolean {
  return BARE_WORD.test(value) && !value.includes(":=");
}

function exportLine(name: string, value: string, shell: Shell): string {
  switch (shell) {
    case "bash":
    case "zsh":
    case "sh":
      if (isBareWord(value)) return `export ${name}=${value}`;
      // Inside single quotes nothing is special; a quote closes, is escaped, and reopens.
      return `export ${name}='${value.replaceAll("'", `'\\''`)}'`;
    case "fish":
      if (isBareWord(value)) return `set -gx ${name} ${value}`;
      // fish single quotes treat only \\ and \' as escapes.
      return `set -gx ${name} '${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    case "powershell":
      // PowerShell also ends a single-quoted string at the typographic quotes ‘ ’ ‚ ‛; doubling escapes each.
      return `$Env:${name} = '${value.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
    case "cmd": {
      // cmd expands %VAR% (and !VAR! with delayed expansion) even inside quotes, and a line break
      // ends the command; there is no escape that works in every mode, so refuse such values.
      const bad = /[%!"\r\n]/.exec(value);
      if (bad) throw unsupported(name, shell, describeChar(bad[0]));
      return `set "${name}=${value}"`;
    }
  }
}

function describeChar(char: string): string {
  if (char === "\n" || char === "\r") return "a line break";
  return `the character ${char === '"' ? "'\"'" : `"${char}"`}`;
}

function unsupported(name: string, shell: Shell, what: string): AppError {
  return new AppError(`cannot write "${name}" for ${shell}: its value holds ${what}`, {
    hint: shell === "cmd"
      ? 'use "--shell powershell", or run the command through "aws-okta exec"'
      : 'run the command through "aws-okta exec" instead',
  });
}
