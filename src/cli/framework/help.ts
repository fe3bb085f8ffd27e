/**
 * Help text generated from the command tree, in cobra's familiar layout (description, Usage,
 * Aliases, Examples, Available Commands, Arguments, Flags, Global Flags, footer), wrapped to 100
 * columns. Flags are listed alphabetically, as cobra does.
 *
 * @module
 */

import { formatDuration } from "../../config/duration.ts";
import { type CommandSpec, findCommand, flagsInScope, type FlagSpec } from "./command.ts";

const WIDTH = 100;
/** Flag columns wider than this put the description on the next line. */
const MAX_LEFT = 40;
const GAP = "   ";

/**
 * The main usage line of the command at `path` (names below the root), without `Usage: `, e.g.
 * `aws-okta cred-process [flags] <profile>`.
 */
export function usageLine(root: CommandSpec, path: readonly string[]): string {
  const chain = chainOf(root, path);
  const command = chain[chain.length - 1]!;
  const full = chain.map((c) => c.name).join(" ");
  if (hasVisibleSubcommands(command) && !command.action && !command.args?.length) {
    return `${full} <command> [flags]`;
  }
  const parts = [full, "[flags]"];
  const { local, inherited } = flagsInScope(chain);
  for (const flag of [...inherited, ...local]) {
    if (flag.required) parts.push(`--${flag.name} ${placeholder(flag)}`);
  }
  let passthroughShown = false;
  for (const arg of command.args ?? []) {
    if (arg.variadic && command.passthrough) {
      parts.push("--");
      passthroughShown = true;
    }
    if (arg.variadic) parts.push(arg.required ? `<${arg.name}>...` : `[${arg.name}...]`);
    else parts.push(arg.required ? `<${arg.name}>` : `[${arg.name}]`);
  }
  if (command.passthrough && !passthroughShown) parts.push("[-- args...]");
  return parts.join(" ");
}

/** The full help text of the command at `path` (names below the root), ending in a newline. */
export function renderHelp(root: CommandSpec, path: readonly string[]): string {
  const chain = chainOf(root, path);
  const command = chain[chain.length - 1]!;
  const full = chain.map((c) => c.name).join(" ");
  const isRoot = chain.length === 1;
  const out: string[] = [];
  const section = (title: string, body: string[]) => {
    if (body.length > 0) out.push("", `${title}:`, ...body);
  };

  for (const paragraph of (command.description ?? command.summary).split(/\n\s*\n/)) {
    if (out.length > 0) out.push("");
    out.push(...wrap(paragraph.replace(/\s+/g, " ").trim(), WIDTH, ""));
  }

  const usage = [`  ${usageLine(root, path)}`];
  if (hasVisibleSubcommands(command) && (command.action || command.args?.length)) {
    usage.push(`  ${full} [command]`);
  }
  section("Usage", usage);
  if (command.aliases?.length) section("Aliases", [`  ${[command.name, ...command.aliases].join(", ")}`]);

  const examples: string[] = [];
  for (const example of command.examples ?? []) {
    if (examples.length > 0) examples.push("");
    examples.push(...wrap(example.description, WIDTH, "  # "), `  ${example.command}`);
  }
  section("Examples", examples);

  const commands: [string, string][] = (command.subcommands ?? [])
    .filter((sub) => !sub.hidden)
    .map((sub) => [sub.name, sub.summary]);
  if (isRoot && commands.length > 0) commands.push(["help", "Help about any command"]);
  section("Available Commands", table(commands.sort(([a], [b]) => a.localeCompare(b))));

  const args: [string, string][] = (command.args ?? [])
    .filter((arg) => arg.description)
    .map((arg) => [arg.required ? `<${arg.name}>` : `[${arg.name}]`, arg.description ?? ""]);
  section("Arguments", table(args));

  const { local, inherited } = flagsInScope(chain);
  const own: [string, string][] = local.filter((flag) => !flag.hidden).map(flagRow);
  own.push(["-h, --help", `help for ${command.name}`]);
  if (isRoot) own.push(["    --version", `version for ${command.name}`]);
  section("Flags", table(own.sort(byLongName)));
  section("Global Flags", table(inherited.filter((flag) => !flag.hidden).map(flagRow).sort(byLongName)));

  if (commands.length > 0) {
    out.push("", `Use "${full} <command> --help" for more information about a command.`);
  }
  return out.join("\n") + "\n";
}

function chainOf(root: CommandSpec, path: readonly string[]): CommandSpec[] {
  const chain = findCommand(root, path);
  if (!chain) throw new Error(`no command "${path.join(" ")}" in the command tree`);
  return chain;
}

function hasVisibleSubcommands(command: CommandSpec): boolean {
  return command.subcommands?.some((sub) => !sub.hidden) ?? false;
}

function byLongName([a]: [string, string], [b]: [string, string]): number {
  const name = (left: string) => left.replace(/^-., /, "").trim().replace(/^--/, "");
  return name(a).localeCompare(name(b));
}

function flagRow(flag: FlagSpec): [string, string] {
  const short = flag.short ? `-${flag.short}, ` : "    ";
  const value = flag.type === "boolean" ? "" : ` ${placeholder(flag)}`;
  const notes = [flag.description];
  if (flag.values) notes.push(`(one of: ${flag.values.join(", ")})`);
  if (flag.type === "list") notes.push("(repeatable)");
  const fallback = defaultText(flag);
  if (fallback !== undefined) notes.push(keepTogether(`(default ${fallback})`));
  if (flag.env?.length) notes.push(keepTogether(`[env: ${flag.env.join(", ")}]`));
  return [`${short}--${flag.name}${value}`, notes.join(" ")];
}

/** What a flag's value is called in help, e.g. `DURATION`. */
function placeholder(flag: FlagSpec): string {
  return flag.type === "boolean" ? "" : flag.valueName ?? PLACEHOLDERS[flag.type];
}

const PLACEHOLDERS = { string: "VALUE", list: "VALUE", integer: "N", duration: "DURATION" } as const;

function defaultText(flag: FlagSpec): string | undefined {
  const value = flag.default;
  if (value === undefined || value === false) return undefined;
  if (flag.type === "duration" && typeof value === "number") return formatDuration(value);
  if (typeof value === "string" && flag.type !== "duration") return `"${value}"`;
  return String(value);
}

/** Two aligned columns, indented by two spaces, the right one wrapped with a hanging indent. */
function table(rows: readonly [string, string][]): string[] {
  const fitting = rows.map(([left]) => left.length).filter((n) => n <= MAX_LEFT);
  const width = Math.max(0, ...fitting);
  const indent = " ".repeat(2 + width + GAP.length);
  const lines: string[] = [];
  for (const [left, right] of rows) {
    if (left.length > width) {
      lines.push(`  ${left}`, ...wrap(right, WIDTH, indent));
      continue;
    }
    const [first = "", ...more] = wrap(right, WIDTH - indent.length, "");
    lines.push(`  ${left.padEnd(width)}${GAP}${first}`.trimEnd(), ...more.map((line) => indent + line));
  }
  return lines;
}

const NBSP = "\u00a0";

/** Marks a short note so wrapping never splits it across lines. */
function keepTogether(text: string): string {
  return text.replaceAll(" ", NBSP);
}

/** Word-wraps `text` to `width` columns, each line starting with `prefix`. */
export function wrap(text: string, width: number, prefix: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ").filter(Boolean)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(prefix + line);
  return lines.map((text) => text.replaceAll(NBSP, " "));
}
