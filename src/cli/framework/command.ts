/**
 * The declarative command tree: plain data plus an action per command. Parsing (`parse.ts`), help
 * (`help.ts`) and shell completions are all generated from it, so a flag is declared once.
 *
 * This file imports nothing at run time: it sits on the credential cache-hit path.
 *
 * @module
 */

import type { GLOBAL_FLAGS } from "../global_flags.ts";

/** A parsed flag value: `duration` flags hold seconds, `list` flags every occurrence in order. */
export type FlagValue = string | boolean | number | string[];

/** One flag of a command. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `session-ttl`. */
  name: string;
  /** One-letter short name, e.g. `t`. */
  short?: string;
  /**
   * `duration` values are parsed to whole seconds (Go syntax or plain seconds); `list` flags are
   * repeatable and collect a `string[]` (no comma splitting, like pflag's StringArray).
   */
  type: "boolean" | "string" | "duration" | "integer" | "list";
  /** One line for help. */
  description: string;
  /** Environment fallbacks, first non-empty one wins (flag > env > default). */
  env?: readonly string[];
  /** Used when neither the flag nor an env variable is set; shown in help as `(default ...)`. */
  default?: string | boolean | number;
  /** For `duration` flags: the shortest and longest accepted, in seconds (a usage error outside). */
  range?: readonly [number, number];
  /** The only accepted values (validated, shown in help, offered by completions). */
  values?: readonly string[];
  /** Placeholder in help, e.g. `DURATION`, `NAME`. */
  valueName?: string;
  /** What shell completion should offer for the value. */
  complete?: "profile" | "file" | "backend" | "command";
  /** Values shell completion offers without restricting what is accepted (unlike `values`). */
  suggest?: readonly string[];
  /** Also accepted by every subcommand, before or after its name. */
  global?: boolean;
  /** Accepted but not shown in help or completions. */
  hidden?: boolean;
  /**
   * Parsing fails with `missing --name` (naming its env variables) when neither the flag nor an
   * env variable gives a value. Not for booleans, lists or flags with a default.
   */
  required?: boolean;
}

/** One positional argument of a command. */
export interface ArgSpec {
  /** Shown in usage as `<name>` (required) or `[name]`. */
  name: string;
  /** Parsing fails with `missing argument <name>` when absent. */
  required?: boolean;
  /** Takes every remaining positional argument; only the last argument may be variadic. */
  variadic?: boolean;
  /** One line for help. */
  description?: string;
  /** What shell completion should offer. */
  complete?: "profile" | "file" | "command";
  /** Values shell completion offers without restricting what is accepted (unlike `values`). */
  suggest?: readonly string[];
  /** The only accepted values (validated, offered by completions). */
  values?: readonly string[];
}

/** A command and, recursively, its subcommands. */
export interface CommandSpec {
  /** The word typed on the command line. */
  name: string;
  /** Other words that select this command. */
  aliases?: readonly string[];
  /** One line for command lists. */
  summary: string;
  /** Longer help text (paragraphs separated by blank lines); the summary is used when absent. */
  description?: string;
  /** Positional arguments, in order. */
  args?: readonly ArgSpec[];
  /** Flags local to this command (plus those marked `global`, which its subcommands inherit). */
  flags?: readonly FlagSpec[];
  /** Shown under `Examples:` in help. */
  examples?: readonly { command: string; description: string }[];
  /**
   * Collects a trailing command line in `rest`, unparsed: everything after a literal `--`, or,
   * once every declared argument is filled, everything from the next positional word on (so
   * `exec dev aws s3 ls --recursive` and `exec dev -- aws s3 ls --recursive` are the same).
   * A variadic last argument of such a command names the passthrough: it receives `rest` too.
   */
  passthrough?: boolean;
  /** Child commands, selected by name or alias. */
  subcommands?: readonly CommandSpec[];
  /** Accepted but not shown in help or completions. */
  hidden?: boolean;
  /**
   * A command declared with {@linkcode lazyCommand}: its whole declaration, loaded by
   * {@linkcode loadCommands} before anything but its name, aliases and summary is read.
   */
  load?: () => Promise<CommandSpec>;
  /**
   * Runs the command; the returned number is the exit code (0 when void). A method, so that the
   * typed action of {@linkcode defineCommand} fits here: the parser hands it exactly its flags.
   */
  action?(input: ParsedCommand): Promise<number | void>;
}

/** Where a flag's value came from; `env:NAME` names the variable. */
export type FlagSource = "flag" | "default" | `env:${string}`;

/** A parsed command's flag values when nothing more is known of its declaration. */
export type AnyFlagValues = Record<string, FlagValue | undefined>;

/** A parsed command's argument values when nothing more is known of its declaration. */
export type AnyArgValues = Record<string, string | string[] | undefined>;

/**
 * The result of parsing a command line. `F` and `A` are the types of `flags` and `args`; the
 * defaults fit any command, and {@linkcode defineCommand} infers the exact ones for its action.
 */
export interface ParsedCommand<F = AnyFlagValues, A = AnyArgValues> {
  /** Names of the selected command and its parents, without the root, e.g. `["cred-process"]`. */
  path: readonly string[];
  /** The selected command. */
  command: CommandSpec;
  /**
   * Every flag in scope by long name, after env fallback and defaults. Booleans without a value
   * are `false` and lists `[]` (both with source `default`); other flags without a value are
   * undefined and have no source.
   */
  flags: F;
  /** Where each defined flag value came from. */
  sources: Record<string, FlagSource>;
  /** Positional arguments by name; variadic ones as `string[]`. */
  args: A;
  /** The passthrough command line (see {@linkcode CommandSpec.passthrough}). */
  rest: string[];
}

/** The value type of one declared flag, as the parser produces it (see {@linkcode ParsedCommand.flags}). */
export type FlagValueOf<F extends FlagSpec> = string extends F["name"] ? FlagValue | undefined
  : F["type"] extends "boolean" ? boolean
  : F["type"] extends "list" ? OneOf<F>[]
  :
    | (F["type"] extends "string" ? OneOf<F> : number)
    | (F extends { default: unknown } | { required: true } ? never : undefined);

/** A flag's or argument's accepted strings: its `values`, else any string. */
type OneOf<S> = S extends { values: readonly (infer V extends string)[] } ? V : string;

/** The `flags` record of a command declaring `F`: each flag's value by its long name. */
export type FlagValues<F extends readonly FlagSpec[]> = {
  -readonly [K in F[number] as K["name"]]: FlagValueOf<K>;
};

/** The `args` record of a command declaring `A`: variadic ones as arrays (never empty when required). */
export type ArgValues<A extends readonly ArgSpec[]> = {
  -readonly [K in A[number] as K["name"]]: K extends { variadic: true }
    ? (K extends { required: true } ? [OneOf<K>, ...OneOf<K>[]] : OneOf<K>[])
    : OneOf<K> | (K extends { required: true } ? never : undefined);
};

/**
 * A command declaration whose action sees its own flags, the global ones and its arguments typed:
 * `input.flags["okta-ap"]` fails to compile, `input.flags["okta-app"]` is a boolean.
 */
export type TypedCommandSpec<F extends readonly FlagSpec[], A extends readonly ArgSpec[]> =
  & Omit<CommandSpec, "flags" | "args" | "action">
  & {
    flags?: F;
    args?: A;
    action?(input: ParsedCommand<FlagValues<F> & GlobalFlagValues, ArgValues<A>>): Promise<number | void>;
  };

/** The values of the flags every command accepts (src/cli/global_flags.ts). */
export type GlobalFlagValues = FlagValues<typeof GLOBAL_FLAGS>;

/**
 * The properties a flag or argument may have. A declaration's types are inferred (see
 * {@linkcode defineCommand}), so the compiler no longer refuses a misspelt optional property:
 * `validateCommand` does, from these lists, which the compiler keeps complete.
 */
const FLAG_KEYS: Record<keyof FlagSpec, true> = {
  name: true,
  short: true,
  type: true,
  description: true,
  env: true,
  default: true,
  range: true,
  values: true,
  valueName: true,
  complete: true,
  suggest: true,
  global: true,
  hidden: true,
  required: true,
};
const ARG_KEYS: Record<keyof ArgSpec, true> = {
  name: true,
  required: true,
  variadic: true,
  description: true,
  complete: true,
  suggest: true,
  values: true,
};

const NAME = /^[a-z][a-z0-9-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SHORT = /^[A-Za-z0-9]$/;

/**
 * Declares a command, inferring the types its action sees from its flags and arguments (declare
 * shared flag lists with {@linkcode defineFlags} so that their names are kept). This is an
 * identity at run time: checking every declaration on every start would cost the cache-hit path
 * of cred-process. `validateCommand` checks the whole tree in tests (src/cli/root_test.ts), so a
 * mistake in a declaration still fails the build.
 */
export function defineCommand<
  const F extends readonly FlagSpec[] = [],
  const A extends readonly ArgSpec[] = [],
>(spec: TypedCommandSpec<F, A>): CommandSpec {
  return spec;
}

/**
 * Declares a subcommand by its name, aliases and summary (what the parent's help lists); its
 * module, which holds the rest of its declaration, loads only when the command line names it
 * ({@linkcode loadCommands}). `aws-okta cred-process` then loads one command's module, not all of
 * them: the cache hit runs on every AWS CLI call.
 */
export function lazyCommand(
  stub: Pick<CommandSpec, "name" | "aliases" | "summary" | "hidden"> & { load: () => Promise<CommandSpec> },
): CommandSpec {
  return { ...stub };
}

/**
 * Loads the {@linkcode lazyCommand} subcommands of `root` that `words` name (by name or alias; a
 * word that only happens to match, such as a profile named like a command, costs one load and
 * changes nothing), or all of them when `words` is undefined (help of everything, completion).
 * The stub becomes the whole declaration in place.
 */
export async function loadCommands(root: CommandSpec, words?: readonly string[]): Promise<void> {
  const wanted = words && new Set(words);
  const named = (sub: CommandSpec) =>
    !wanted || wanted.has(sub.name) || (sub.aliases?.some((alias) => wanted.has(alias)) ?? false);
  await Promise.all((root.subcommands ?? []).map(async (sub) => {
    if (sub.load && named(sub)) {
      const whole = await sub.load();
      // What help lists must be what the module declares (checked whenever a command loads).
      for (const key of ["name", "summary", "hidden"] as const) {
        if (whole[key] !== sub[key]) {
          throw new Error(`lazyCommand "${sub.name}": its ${key} differs from its module's (${whole[key]})`);
        }
      }
      const { load: _, ...declaration } = whole;
      Object.assign(sub, declaration, { load: undefined });
    }
    if (!sub.load) await loadCommands(sub, words);
  }));
}

/** Declares a list of flags shared by several commands, keeping each flag's name and type. */
export function defineFlags<const F extends readonly FlagSpec[]>(flags: F): F {
  return flags;
}

/**
 * Lists what is wrong with a command tree: bad or duplicate names, flags clashing with inherited
 * global flags or the built-in `--help`/`--version`/`help`, defaults of the wrong type, bad argument order.
 * `inherited` holds the global flags of the ancestors, when checking a subtree in isolation.
 */
export function validateCommand(spec: CommandSpec, inherited: readonly FlagSpec[] = []): string[] {
  const problems: string[] = [];
  check(spec, inherited, spec.name, problems);
  return problems;
}

function check(
  spec: CommandSpec,
  inherited: readonly FlagSpec[],
  where: string,
  problems: string[],
): void {
  const bad = (text: string) => problems.push(`${where}: ${text}`);
  if (!NAME.test(spec.name)) bad(`bad command name "${spec.name}"`);
  // Reserved everywhere (not only on the root) so a subtree can be checked on its own.
  const longs = new Set<string>(["help", "version"]);
  const shorts = new Set<string>(["h"]);
  for (const flag of inherited) {
    longs.add(flag.name);
    if (flag.short) shorts.add(flag.short);
  }
  for (const flag of spec.flags ?? []) {
    const at = `flag "--${flag.name}"`;
    for (const key of Object.keys(flag)) {
      if (!Object.hasOwn(FLAG_KEYS, key)) bad(`unknown property "${key}" of ${at}`);
    }
    if (flag.required && (flag.type === "boolean" || flag.type === "list" || flag.default !== undefined)) {
      bad(`${at} is required but is a ${flag.type === "string" ? "flag with a default" : flag.type}`);
    }
    if (!NAME.test(flag.name)) bad(`bad flag name "${flag.name}"`);
    else if (longs.has(flag.name)) bad(`duplicate ${at}`);
    longs.add(flag.name);
    if (flag.short !== undefined) {
      if (!SHORT.test(flag.short)) bad(`bad short name "${flag.short}" for ${at}`);
      else if (shorts.has(flag.short)) bad(`duplicate short flag "-${flag.short}"`);
      shorts.add(flag.short);
    }
    for (const name of flag.env ?? []) {
      if (!ENV_NAME.test(name)) bad(`bad env variable name "${name}" for ${at}`);
    }
    if (flag.values && flag.type !== "string" && flag.type !== "list") {
      bad(`${at} has values but is of type ${flag.type}`);
    }
    if (flag.default !== undefined) {
      const want = defaultType(flag.type, flag.default);
      if (jsType(flag.default) !== want) bad(`default of ${at} is not a ${want}`);
      else if (flag.type === "integer" && !Number.isSafeInteger(flag.default)) {
        bad(`default of ${at} is not an integer`);
      }
      if (flag.values && typeof flag.default === "string" && !flag.values.includes(flag.default)) {
        bad(`default of ${at} is not one of its values`);
      }
    }
  }
  const argNames = new Set<string>();
  let optionalSeen = false;
  const args = spec.args ?? [];
  args.forEach((arg, index) => {
    if (!NAME.test(arg.name)) bad(`bad argument name "${arg.name}"`);
    for (const key of Object.keys(arg)) {
      if (!Object.hasOwn(ARG_KEYS, key)) bad(`unknown property "${key}" of argument "${arg.name}"`);
    }
    if (argNames.has(arg.name)) bad(`duplicate argument "${arg.name}"`);
    argNames.add(arg.name);
    if (arg.required && optionalSeen) bad(`required argument "${arg.name}" follows an optional one`);
    if (!arg.required) optionalSeen = true;
    if (arg.variadic && index !== args.length - 1) bad(`variadic argument "${arg.name}" is not last`);
  });
  const words = new Set<string>(["help"]);
  const globals = [...inherited, ...(spec.flags ?? []).filter((flag) => flag.global)];
  for (const sub of spec.subcommands ?? []) {
    for (const word of [sub.name, ...(sub.aliases ?? [])]) {
      if (words.has(word)) bad(`duplicate command name "${word}"`);
      words.add(word);
    }
    check(sub, globals, `${where} ${sub.name}`, problems);
  }
}

/** The JS type a flag's default must have: durations take seconds or Go text. */
function defaultType(type: FlagSpec["type"], value: unknown): "boolean" | "number" | "string" {
  if (type === "boolean") return "boolean";
  if (type === "integer") return "number";
  if (type === "duration" && typeof value === "number") return "number";
  return "string";
}

function jsType(value: string | boolean | number): "boolean" | "number" | "string" {
  return typeof value === "boolean" ? "boolean" : typeof value === "number" ? "number" : "string";
}

/**
 * Follows `names` from `root` (by name or alias) and returns the chain of commands, root first,
 * or undefined when a name does not match.
 */
export function findCommand(root: CommandSpec, names: readonly string[]): CommandSpec[] | undefined {
  const chain = [root];
  for (const name of names) {
    const next = findSubcommand(chain[chain.length - 1]!, name);
    if (!next) return undefined;
    chain.push(next);
  }
  return chain;
}

/** The direct subcommand called `word` (name or alias), if any. */
export function findSubcommand(command: CommandSpec, word: string): CommandSpec | undefined {
  return command.subcommands?.find((sub) => sub.name === word || (sub.aliases?.includes(word) ?? false));
}

/**
 * How many positional arguments come before a passthrough command line: all but a variadic last
 * one. The parser and shell completion both start the passthrough after this many words.
 */
export function fixedArgs(command: CommandSpec): number {
  return (command.args ?? []).filter((arg) => !arg.variadic).length;
}

/** The flags a command accepts, given its chain (root first): its own, then its ancestors' global ones. */
export function flagsInScope(chain: readonly CommandSpec[]): { local: FlagSpec[]; inherited: FlagSpec[] } {
  const command = chain[chain.length - 1];
  const inherited: FlagSpec[] = [];
  for (const ancestor of chain.slice(0, -1)) {
    for (const flag of ancestor.flags ?? []) if (flag.global) inherited.push(flag);
  }
  return { local: [...(command?.flags ?? [])], inherited };
}
