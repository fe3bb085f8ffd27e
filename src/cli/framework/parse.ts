/**
 * Command-line parsing with pflag/cobra semantics: `--flag value`, `--flag=value`, `-t 1h`, `-t1h`,
 * `-t=1h`, bundled booleans (`-pd`), `--flag=false`, `--` to end flags, global flags before or
 * after the subcommand, subcommands by name or alias, `-h`/`--help` anywhere, `help <command>` and
 * `--version` on the root. Values come from the flag, then its env variables, then its default.
 *
 * Unlike pflag, a flag that needs a value does not swallow a following flag: `--backend --debug`
 * is `missing value for --backend` (write `--backend=-x` for a value that starts with a dash).
 *
 * No npm imports: this runs on the credential cache-hit path.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import { formatDuration, parseDuration } from "../../config/duration.ts";
import {
  type ArgSpec,
  type CommandSpec,
  findSubcommand,
  fixedArgs,
  flagsInScope,
  type FlagSource,
  type FlagSpec,
  type FlagValue,
  type ParsedCommand,
} from "./command.ts";
import { renderHelp, usageLine } from "./help.ts";
import type { EnvReader } from "../../env.ts";

/** What {@linkcode parseCommandLine} found: a command to run, help to print, or `--version`. */
export type ParseResult = ParsedCommand | { help: string } | { version: true };

/** Go's strconv.ParseBool accepts exactly these. */
const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

const DURATION_HINT = "use a Go duration or a number of seconds, e.g. 1h, 90m, 3600s";

/** Parses Go's boolean words; undefined for anything else. */
export function parseBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/**
 * Parses `argv` (without the program name) against the command tree. Throws {@linkcode UsageError}
 * (exit code 2) for anything the user typed wrong, with the command's usage line attached.
 */
export function parseCommandLine(root: CommandSpec, argv: readonly string[], env: EnvReader): ParseResult {
  return new Parser(root, argv, env).run();
}

class Parser {
  #chain: CommandSpec[];
  #byLong = new Map<string, FlagSpec>();
  #byShort = new Map<string, FlagSpec>();
  #values = new Map<FlagSpec, FlagValue>();
  #positionals: string[] = [];
  #rest: string[] = [];
  #help = false;
  #argsStarted = false;
  /** Set once `--` or a passthrough command line is reached: later words are not ours. */
  #flagsEnded = false;
  #index = 0;

  constructor(readonly root: CommandSpec, readonly argv: readonly string[], readonly env: EnvReader) {
    this.#chain = [root];
    this.#scope();
  }

  run(): ParseResult {
    try {
      const early = this.#walk();
      if (early) return early;
      if (this.#help) return this.#helpResult();
      const command = this.#command;
      if (command.subcommands?.length && !command.action && this.#positionals.length === 0) {
        return this.#helpResult();
      }
      return this.#finish();
    } catch (error) {
      // `aws-okta exec --bogus --help` should still show help rather than an error.
      if (error instanceof UsageError && (this.#help || this.#helpLater())) {
        this.#descendForHelp();
        return this.#helpResult();
      }
      throw error;
    }
  }

  get #command(): CommandSpec {
    return this.#chain[this.#chain.length - 1]!;
  }

  get #path(): string[] {
    return this.#chain.slice(1).map((command) => command.name);
  }

  #helpResult(): { help: string } {
    return { help: renderHelp(this.root, this.#path) };
  }

  #helpLater(): boolean {
    if (this.#flagsEnded) return false;
    for (const token of this.argv.slice(this.#index + 1)) {
      if (token === "--") return false;
      if (token === "--help" || token === "-h") return true;
    }
    return false;
  }

  /** After an error, finds the command named later on (best effort: help is all that is wanted). */
  #descendForHelp(): void {
    for (const token of this.argv.slice(this.#index + 1)) {
      if (token === "--") return;
      const sub = token.startsWith("-") ? undefined : findSubcommand(this.#command, token);
      if (sub) this.#chain.push(sub);
    }
  }

  #usage(): string {
    return `Usage: ${usageLine(this.root, this.#path)}`;
  }

  #fail(message: string, hint?: string): never {
    throw new UsageError(
      message,
      hint === undefined ? { usage: this.#usage() } : { usage: this.#usage(), hint },
    );
  }

  #scope(): void {
    const { local, inherited } = flagsInScope(this.#chain);
    this.#byLong.clear();
    this.#byShort.clear();
    for (const flag of [...inherited, ...local]) {
      this.#byLong.set(flag.name, flag);
      if (flag.short) this.#byShort.set(flag.short, flag);
    }
    // A root-local flag given before the subcommand does not belong to the subcommand.
    for (const flag of this.#values.keys()) {
      if (this.#byLong.get(flag.name) !== flag) {
        this.#fail(`flag "--${flag.name}" is not accepted by "${this.#commandLine()}"`);
      }
    }
  }

  #commandLine(): string {
    return [this.root.name, ...this.#path].join(" ");
  }

  /** Consumes argv; returns early for `--version` and `help <command>`. */
  #walk(): ParseResult | undefined {
    const argv = this.argv;
    for (; this.#index < argv.length; this.#index++) {
      const token = argv[this.#index]!;
      if (token === "--") {
        this.#flagsEnded = true;
        const after = argv.slice(this.#index + 1);
        if (this.#command.passthrough) this.#rest = [...after];
        else {
          this.#positionals.push(...after);
          this.#argsStarted = true;
        }
        return undefined;
      }
      if (token.startsWith("--")) {
        const early = this.#long(token);
        if (early) return early;
      } else if (token.startsWith("-") && token.length > 1) {
        this.#short(token);
      } else {
        const result = this.#positional(token);
        if (result === "stop") return undefined;
        if (result) return result;
      }
    }
    return undefined;
  }

  #long(token: string): ParseResult | undefined {
    const body = token.slice(2);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    if (name === "help") {
      this.#help = true;
      return undefined;
    }
    if (name === "version" && this.#chain.length === 1) return { version: true };
    const flag = this.#byLong.get(name);
    if (!flag) {
      const candidates = [...this.#byLong.values()].filter((f) => !f.hidden).map((f) => f.name);
      candidates.push("help");
      if (this.#chain.length === 1) candidates.push("version");
      const guess = suggest(name, candidates);
      this.#fail(`unknown flag "--${name}"`, guess === undefined ? undefined : `did you mean "--${guess}"?`);
    }
    if (flag.type === "boolean") this.#set(flag, inline === undefined ? true : this.#bool(flag, inline));
    else this.#set(flag, this.#convert(flag, inline ?? this.#next(flag)));
    return undefined;
  }

  #short(token: string): void {
    const letters = token.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const letter = letters[j]!;
      if (letter === "h") {
        this.#help = true;
        continue;
      }
      const flag = this.#byShort.get(letter);
      if (!flag) {
        const where = letters.length > 1 ? ` in "${token}"` : "";
        // `-debug` is usually a long flag typed with one dash.
        const hint = this.#byLong.has(letters) ? `did you mean "--${letters}"?` : undefined;
        this.#fail(`unknown flag "-${letter}"${where}`, hint);
      }
      const remainder = letters.slice(j + 1);
      const inline = remainder.startsWith("=") ? remainder.slice(1) : remainder;
      if (flag.type === "boolean") {
        if (remainder.startsWith("=")) {
          this.#set(flag, this.#bool(flag, inline));
          return;
        }
        this.#set(flag, true);
        continue;
      }
      this.#set(flag, this.#convert(flag, inline !== "" ? inline : this.#next(flag)));
      return;
    }
  }

  /** Handles a word that is not a flag: a subcommand, an argument, or the start of a passthrough. */
  #positional(token: string): ParseResult | "stop" | undefined {
    const command = this.#command;
    if (!this.#argsStarted && command.subcommands?.length) {
      if (this.#chain.length === 1 && token === "help") return this.#helpCommand();
      const sub = findSubcommand(command, token);
      if (sub) {
        this.#chain.push(sub);
        this.#scope();
        return undefined;
      }
      if (!command.args?.length) this.#unknownCommand(command, token);
    }
    if (command.passthrough && this.#positionals.length >= fixedArgs(command)) {
      this.#rest = this.argv.slice(this.#index);
      this.#flagsEnded = true;
      return "stop";
    }
    this.#positionals.push(token);
    this.#argsStarted = true;
    return undefined;
  }

  /** `help [command...]`: help for the named command; flags after it are ignored. */
  #helpCommand(): { help: string } {
    const names = this.argv.slice(this.#index + 1).filter((word) => !word.startsWith("-"));
    let chain = [this.root];
    for (const name of names) {
      const next = findSubcommand(chain[chain.length - 1]!, name);
      if (!next) {
        this.#chain = chain;
        this.#unknownCommand(chain[chain.length - 1]!, name);
      }
      chain = [...chain, next];
    }
    const path = chain.slice(1).map((command) => command.name);
    return { help: renderHelp(this.root, path) };
  }

  #unknownCommand(command: CommandSpec, word: string): never {
    const candidates = (command.subcommands ?? []).filter((sub) => !sub.hidden)
      .flatMap((sub) => [sub.name, ...(sub.aliases ?? [])]);
    if (command === this.root) candidates.push("help");
    const guess = suggest(word, candidates);
    this.#fail(
      `unknown command "${word}" for "${this.#commandLine()}"`,
      guess === undefined ? undefined : `did you mean "${guess}"?`,
    );
  }

  /** The next token as the value of `flag`, refusing to eat a following flag. */
  #next(flag: FlagSpec): string {
    const value = this.argv[this.#index + 1];
    if (value === undefined || looksLikeFlag(value)) this.#fail(`missing value for --${flag.name}`);
    this.#index++;
    return value;
  }

  #set(flag: FlagSpec, value: FlagValue): void {
    const before = this.#values.get(flag);
    if (flag.type === "list" && Array.isArray(before) && Array.isArray(value)) before.push(...value);
    else this.#values.set(flag, value);
  }

  #bool(flag: FlagSpec, text: string, variable?: string): boolean {
    const value = parseBool(text);
    if (value === undefined) {
      this.#fail(`invalid value "${text}" ${this.#where(flag, variable)}: use true or false`);
    }
    return value;
  }

  #where(flag: FlagSpec, variable: string | undefined): string {
    return variable === undefined ? `for --${flag.name}` : `in ${variable}`;
  }

  /** Converts a value given on the command line, in `variable`, or as the default. */
  #convert(flag: FlagSpec, text: string, variable?: string): FlagValue {
    const where = this.#where(flag, variable);
    switch (flag.type) {
      case "boolean":
        return this.#bool(flag, text, variable);
      case "duration":
        return this.#duration(flag, text, where);
      case "integer": {
        const value = Number(text);
        if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value)) {
          this.#fail(`invalid value "${text}" ${where}: use a whole number`);
        }
        return value;
      }
      case "list": {
        // An env variable holds the whole list, comma-separated; a flag holds one item.
        const items = variable === undefined ? [text] : text.split(",").map((s) => s.trim()).filter(Boolean);
        for (const item of items) this.#allowed(flag, item, where);
        return items;
      }
      case "string":
        this.#allowed(flag, text, where);
        return text;
    }
  }

  #duration(flag: FlagSpec, text: string, where: string): number {
    let seconds: number;
    try {
      seconds = parseDuration(text);
    } catch {
      // The parser's own message names no flag or variable; ours does.
      this.#fail(`invalid duration "${text}" ${where}: ${DURATION_HINT}`);
    }
    const [min, max] = flag.range ?? [0, Infinity];
    if (seconds < min || seconds > max) {
      this.#fail(
        `invalid duration "${text}" ${where}: use a length from ${formatDuration(min)} to ${
          formatDuration(max)
        }`,
      );
    }
    return seconds;
  }

  #allowed(spec: FlagSpec | ArgSpec, text: string, where: string): void {
    if (spec.values && !spec.values.includes(text)) {
      this.#fail(`invalid value "${text}" ${where}: use one of ${spec.values.join(", ")}`);
    }
  }

  #finish(): ParsedCommand {
    const command = this.#command;
    const args: Record<string, string | string[] | undefined> = {};
    const specs = command.args ?? [];
    const positionals = this.#positionals;
    specs.forEach((arg, index) => {
      const value = arg.variadic
        ? (command.passthrough ? [...this.#rest] : positionals.slice(index))
        : positionals[index];
      const missing = value === undefined || (Array.isArray(value) && value.length === 0);
      if (missing && arg.required) {
        // A passthrough's command line is written after "--" (see the usage line).
        this.#fail(
          `missing argument <${arg.name}>${arg.variadic && command.passthrough ? ' after "--"' : ""}`,
        );
      }
      for (const word of typeof value === "string" ? [value] : value ?? []) {
        this.#allowed(arg, word, `for <${arg.name}>`);
      }
      args[arg.name] = value;
    });
    const taken = specs.some((arg) => arg.variadic) ? positionals.length : specs.length;
    if (positionals.length > taken) {
      const extra = positionals.slice(taken).map((word) => `"${word}"`).join(" ");
      this.#fail(`too many arguments: unexpected ${extra}`);
    }

    const flags: Record<string, FlagValue | undefined> = {};
    const sources: Record<string, FlagSource> = {};
    for (const flag of this.#byLong.values()) {
      const resolved = this.#resolve(flag);
      if (!resolved && flag.required) {
        const variables = flag.env ?? [];
        const hint = variables.length > 0
          ? `pass --${flag.name} or set ${variables.join(" or ")}`
          : undefined;
        this.#fail(`missing --${flag.name}`, hint);
      }
      flags[flag.name] = resolved?.[0];
      if (resolved) sources[flag.name] = resolved[1];
    }
    return { path: this.#path, command, flags, sources, args, rest: this.#rest };
  }

  /** flag > env (first non-empty variable) > default. */
  #resolve(flag: FlagSpec): [FlagValue, FlagSource] | undefined {
    const given = this.#values.get(flag);
    if (given !== undefined) return [given, "flag"];
    for (const variable of flag.env ?? []) {
      const text = this.env.get(variable);
      if (text !== undefined && text !== "") return [this.#convert(flag, text, variable), `env:${variable}`];
    }
    const fallback = flag.default;
    if (fallback !== undefined) {
      if (typeof fallback === "string") {
        if (flag.type === "list") return [[fallback], "default"];
        if (flag.type === "duration") return [parseDuration(fallback), "default"];
      }
      return [fallback, "default"];
    }
    if (flag.type === "boolean") return [false, "default"];
    if (flag.type === "list") return [[], "default"];
    return undefined;
  }
}

function looksLikeFlag(token: string): boolean {
  return token.startsWith("-") && token.length > 1 && !/^-\d/.test(token);
}

/** The closest candidate by edit distance (at most 2), else one that starts with `word`. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;
  return word.length >= 2 ? candidates.find((candidate) => candidate.startsWith(word)) : undefined;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
