/**
 * Shell completion, computed from the command declarations: given the words typed so far, what can
 * come next (subcommands, flags, flag values, arguments). The shell scripts of `completion` are
 * thin adapters that ask `aws-okta completion suggest -- <words>` and show the answer, so
 * completions follow the parser exactly and cannot drift from it, even with an old script.
 *
 * The walk mirrors `parse.ts`: global flags anywhere, `--flag value` and `--flag=value`, bundled
 * short flags, `--` ending the flags, and the passthrough command line of `exec`.
 *
 * @module
 */

import {
  type ArgSpec,
  type CommandSpec,
  findSubcommand,
  fixedArgs,
  flagsInScope,
  type FlagSpec,
} from "./command.ts";

/** One completion candidate. */
export interface Candidate {
  /** The word to insert. */
  value: string;
  /** One line shown beside it by shells that show descriptions (zsh, fish, PowerShell). */
  description?: string;
}

/**
 * What the shell should do: offer `candidates` only ("words"), complete file names ("files"), or
 * complete command names ("commands"; the first word of `exec`'s command line).
 */
export type Directive = "words" | "files" | "commands";

/** The answer to one completion request. */
export interface Completion {
  candidates: Candidate[];
  directive: Directive;
}

/** Where dynamic values come from. */
export interface CompletionSources {
  /** Profile names of the AWS config (only called when a profile is wanted). */
  profiles(): string[];
  /** Keyring backend names. */
  backends: readonly string[];
}

/**
 * Completes the last of `words` (the words after the program name; the last one is the word under
 * the cursor, "" for a new word). Candidates start with that word; shells filter them again.
 */
export function completeWords(
  root: CommandSpec,
  words: readonly string[],
  sources: CompletionSources,
): Completion {
  const current = words.length > 0 ? words[words.length - 1]! : "";
  const before = words.slice(0, -1);
  const chain = [root];
  const scope = () => {
    const { local, inherited } = flagsInScope(chain);
    return [...inherited, ...local];
  };
  let positionals = 0;
  let flagsEnded = false;
  /** Index in `before` where a passthrough command line starts. */
  let restStart: number | undefined;
  let pending: FlagSpec | undefined;
  let helpMode = false;

  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    if (pending) {
      pending = undefined;
      continue;
    }
    const command = chain[chain.length - 1]!;
    if (!flagsEnded && word === "--") {
      flagsEnded = true;
      if (command.passthrough) {
        restStart = i + 1;
        break;
      }
      continue;
    }
    if (!flagsEnded && word.startsWith("--")) {
      const body = word.slice(2);
      if (body.includes("=")) continue;
      const flag = scope().find((f) => f.name === body);
      if (flag && flag.type !== "boolean") pending = flag;
      continue;
    }
    if (!flagsEnded && word.startsWith("-") && word.length > 1) {
      pending = shortNeedingValue(word.slice(1), scope());
      continue;
    }
    if (positionals === 0 && command.subcommands?.length) {
      const sub = findSubcommand(command, word);
      if (sub) {
        chain.push(sub);
        continue;
      }
      // `help <command>` takes command names, like the parser's help command.
      if (chain.length === 1 && word === "help" && !helpMode) {
        helpMode = true;
        continue;
      }
    }
    if (command.passthrough && positionals >= fixedArgs(command)) {
      restStart = i;
      break;
    }
    positionals++;
  }

  const command = chain[chain.length - 1]!;
  if (helpMode) {
    if (positionals > 0 || current.startsWith("-")) return words_([]);
    const names = (command.subcommands ?? []).filter((sub) => !sub.hidden)
      .map((sub) => ({ value: sub.name, description: sub.summary }));
    return words_(names.filter((c) => c.value.startsWith(current)));
  }
  if (restStart !== undefined) {
    // The command line after the profile belongs to the child: its first word is a command.
    return before.length === restStart ? { candidates: [], directive: "commands" } : files();
  }
  if (pending) return flagValues(pending, current, sources);
  if (!flagsEnded && current.startsWith("--") && current.includes("=")) {
    const eq = current.indexOf("=");
    const flag = scope().find((f) => f.name === current.slice(2, eq));
    if (!flag || flag.type === "boolean") return words_([]);
    const prefix = current.slice(0, eq + 1);
    const values = flagValues(flag, current.slice(eq + 1), sources);
    return {
      directive: values.directive,
      candidates: values.candidates.map((c) => ({ ...c, value: prefix + c.value })),
    };
  }
  if (!flagsEnded && current.startsWith("-")) {
    const candidates = scope()
      .filter((flag) => !flag.hidden)
      .map((flag) => ({ value: `--${flag.name}`, description: flag.description }));
    candidates.push({ value: "--help", description: "Show help" });
    if (chain.length === 1) candidates.push({ value: "--version", description: "Print the version" });
    return words_(candidates.filter((c) => c.value.startsWith(current)).sort(byValue));
  }

  const candidates: Candidate[] = [];
  if (positionals === 0 && command.subcommands?.length) {
    for (const sub of command.subcommands) {
      if (!sub.hidden) candidates.push({ value: sub.name, description: sub.summary });
    }
    if (chain.length === 1) candidates.push({ value: "help", description: "Help about any command" });
  }
  const arg = argAt(command, positionals);
  if (arg) {
    const values = argValues(arg, sources);
    if (values.directive !== "words" && candidates.length === 0) return values;
    candidates.push(...values.candidates);
  } else if (command.passthrough && positionals >= fixedArgs(command)) {
    return { candidates: [], directive: "commands" };
  }
  return words_(candidates.filter((c) => c.value.startsWith(current)));
}

function words_(candidates: Candidate[]): Completion {
  return { candidates, directive: "words" };
}

function files(): Completion {
  return { candidates: [], directive: "files" };
}

function byValue(a: Candidate, b: Candidate): number {
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** For `-abc` or `-tVALUE`: the flag still waiting for its value in the next word, if any. */
function shortNeedingValue(letters: string, scope: readonly FlagSpec[]): FlagSpec | undefined {
  for (let j = 0; j < letters.length; j++) {
    const flag = scope.find((f) => f.short === letters[j]);
    if (!flag) return undefined;
    if (flag.type !== "boolean") return j === letters.length - 1 ? flag : undefined;
  }
  return undefined;
}

/** The declared argument at `index` (a variadic last one takes every further index). */
function argAt(command: CommandSpec, index: number): ArgSpec | undefined {
  const args = command.args ?? [];
  const last = args[args.length - 1];
  if (index < args.length) {
    const arg = args[index]!;
    // A passthrough command's variadic argument is its command line, completed above.
    return arg.variadic && command.passthrough ? undefined : arg;
  }
  return last?.variadic && !command.passthrough ? last : undefined;
}

function flagValues(flag: FlagSpec, current: string, sources: CompletionSources): Completion {
  let values: readonly string[] = [];
  if (flag.values) values = flag.values;
  else if (flag.suggest) values = flag.suggest;
  else if (flag.complete === "backend") values = sources.backends;
  else if (flag.complete === "profile") values = safeProfiles(sources);
  else if (flag.complete === "file") return files();
  else if (flag.complete === "command") return { candidates: [], directive: "commands" };
  return words_(values.filter((value) => value.startsWith(current)).map((value) => ({ value })));
}

function argValues(arg: ArgSpec, sources: CompletionSources): Completion {
  const values = arg.values ?? arg.suggest;
  if (values) return words_(values.map((value) => ({ value })));
  switch (arg.complete) {
    case "profile":
      return words_(safeProfiles(sources).map((value) => ({ value })));
    case "file":
      return files();
    case "command":
      return { candidates: [], directive: "commands" };
    default:
      return words_([]);
  }
}

/** A broken config file must not break the shell: no profile names then. */
function safeProfiles(sources: CompletionSources): string[] {
  try {
    return sources.profiles();
  } catch {
    return [];
  }
}

/**
 * The wire format the shell scripts read: one candidate per line (`value<TAB>description`), then
 * `:<directive>` on the last line. Tabs and line breaks inside values or descriptions become spaces.
 */
export function formatCompletion(completion: Completion): string {
  const clean = (text: string) => text.replace(/[\t\r\n]+/g, " ");
  const lines = completion.candidates.map((c) =>
    c.description ? `${clean(c.value)}\t${clean(c.description)}` : clean(c.value)
  );
  lines.push(`:${completion.directive}`);
  return lines.join("\n") + "\n";
}
