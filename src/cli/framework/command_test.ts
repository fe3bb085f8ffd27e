import assert from "node:assert/strict";
import {
  type CommandSpec,
  defineCommand,
  findCommand,
  flagsInScope,
  lazyCommand,
  loadCommands,
  validateCommand,
} from "./command.ts";
import { GLOBAL_FLAGS } from "../global_flags.ts";
import { parseCommandLine } from "./parse.ts";

const globalDebug = {
  name: "debug",
  short: "d",
  type: "boolean",
  description: "Debug",
  global: true,
} as const;

function problems(spec: CommandSpec): string[] {
  return validateCommand(spec);
}

Deno.test("defineCommand returns a valid spec unchanged", () => {
  const spec: CommandSpec = {
    name: "tool",
    summary: "Tool",
    flags: [globalDebug, { name: "ttl", type: "duration", description: "TTL", default: "1h" }],
    subcommands: [{
      name: "run",
      aliases: ["r"],
      summary: "Run",
      args: [{ name: "profile", required: true }, { name: "command", variadic: true }],
      passthrough: true,
    }],
  };
  assert.equal(defineCommand(spec), spec);
  assert.deepEqual(problems(spec), []);
});

Deno.test("validateCommand reports a bad declaration (defineCommand itself does not check at run time)", () => {
  const spec = { name: "Tool", summary: "Tool" };
  assert.equal(defineCommand(spec), spec);
  assert.deepEqual(validateCommand(spec), ['Tool: bad command name "Tool"']);
});

Deno.test("validateCommand finds flag mistakes", () => {
  const cases: [CommandSpec, string][] = [
    [{
      name: "tool",
      summary: "",
      flags: [{ name: "x", type: "boolean", description: "" }, {
        name: "x",
        type: "string",
        description: "",
      }],
    }, 'tool: duplicate flag "--x"'],
    [{
      name: "tool",
      summary: "",
      flags: [
        { name: "a", short: "q", type: "boolean", description: "" },
        { name: "b", short: "q", type: "boolean", description: "" },
      ],
    }, 'tool: duplicate short flag "-q"'],
    [
      { name: "tool", summary: "", flags: [{ name: "help", type: "boolean", description: "" }] },
      'tool: duplicate flag "--help"',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "version", type: "boolean", description: "" }] },
      'tool: duplicate flag "--version"',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", short: "h", type: "boolean", description: "" }] },
      'tool: duplicate short flag "-h"',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", short: "xy", type: "boolean", description: "" }] },
      'tool: bad short name "xy" for flag "--x"',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "Bad_Name", type: "boolean", description: "" }] },
      'tool: bad flag name "Bad_Name"',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", type: "boolean", description: "", env: ["A-B"] }] },
      'tool: bad env variable name "A-B" for flag "--x"',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", type: "boolean", description: "", values: ["a"] }] },
      'tool: flag "--x" has values but is of type boolean',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", type: "integer", description: "", default: "3" }] },
      'tool: default of flag "--x" is not a number',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", type: "integer", description: "", default: 1.5 }] },
      'tool: default of flag "--x" is not an integer',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", type: "boolean", description: "", default: "yes" }] },
      'tool: default of flag "--x" is not a boolean',
    ],
    [
      {
        name: "tool",
        summary: "",
        flags: [{ name: "x", type: "string", description: "", values: ["a", "b"], default: "c" }],
      },
      'tool: default of flag "--x" is not one of its values',
    ],
    [
      { name: "tool", summary: "", flags: [{ name: "x", type: "boolean", description: "", required: true }] },
      'tool: flag "--x" is required but is a boolean',
    ],
    [
      {
        name: "tool",
        summary: "",
        flags: [{ name: "x", type: "string", description: "", default: "a", required: true }],
      },
      'tool: flag "--x" is required but is a flag with a default',
    ],
  ];
  for (const [spec, problem] of cases) assert.deepEqual(problems(spec), [problem]);
});

Deno.test("validateCommand finds a misspelt property, which compiles in defineCommand (its types are inferred)", () => {
  const flags = [{ name: "x", type: "boolean", description: "", hiden: true }] as const;
  const args = [{ name: "a", requird: true }] as const;
  assert.deepEqual(problems(defineCommand({ name: "tool", summary: "", flags, args })), [
    'tool: unknown property "hiden" of flag "--x"',
    'tool: unknown property "requird" of argument "a"',
  ]);
});

Deno.test("validateCommand finds argument and subcommand mistakes", () => {
  assert.deepEqual(
    problems({ name: "tool", summary: "", args: [{ name: "a" }, { name: "b", required: true }] }),
    ['tool: required argument "b" follows an optional one'],
  );
  assert.deepEqual(
    problems({ name: "tool", summary: "", args: [{ name: "a", variadic: true }, { name: "b" }] }),
    ['tool: variadic argument "a" is not last'],
  );
  assert.deepEqual(
    problems({ name: "tool", summary: "", args: [{ name: "a" }, { name: "a" }] }),
    ['tool: duplicate argument "a"'],
  );
  assert.deepEqual(
    problems({
      name: "tool",
      summary: "",
      subcommands: [{ name: "run", summary: "" }, { name: "exec", aliases: ["run"], summary: "" }],
    }),
    ['tool: duplicate command name "run"'],
  );
  assert.deepEqual(
    problems({ name: "tool", summary: "", subcommands: [{ name: "help", summary: "" }] }),
    ['tool: duplicate command name "help"'],
  );
});

Deno.test("a subcommand flag may not shadow an inherited global flag", () => {
  const sub: CommandSpec = {
    name: "run",
    summary: "",
    flags: [{ name: "dry", short: "d", type: "boolean", description: "" }],
  };
  // Alone, the subcommand is fine; under a root with global -d it is not.
  assert.deepEqual(problems(sub), []);
  assert.deepEqual(
    problems({ name: "tool", summary: "", flags: [globalDebug], subcommands: [sub] }),
    ['tool run: duplicate short flag "-d"'],
  );
  // Non-global root flags are not inherited, so the same name is allowed below.
  assert.deepEqual(
    problems({
      name: "tool",
      summary: "",
      flags: [{ name: "dry", short: "d", type: "boolean", description: "" }],
      subcommands: [sub],
    }),
    [],
  );
});

Deno.test("findCommand and flagsInScope", () => {
  const run: CommandSpec = {
    name: "run",
    aliases: ["r"],
    summary: "",
    flags: [{ name: "x", type: "boolean", description: "" }],
  };
  const root: CommandSpec = {
    name: "tool",
    summary: "",
    flags: [globalDebug, { name: "local", type: "boolean", description: "" }],
    subcommands: [run],
  };
  assert.deepEqual(findCommand(root, ["r"]), [root, run]);
  assert.deepEqual(findCommand(root, []), [root]);
  assert.equal(findCommand(root, ["nope"]), undefined);
  const scope = flagsInScope([root, run]);
  assert.deepEqual(scope.local.map((flag) => flag.name), ["x"]);
  assert.deepEqual(scope.inherited.map((flag) => flag.name), ["debug"]);
  assert.deepEqual(flagsInScope([root]).local.map((flag) => flag.name), ["debug", "local"]);
});

Deno.test("defineCommand types the action's flags and arguments from the declaration", async () => {
  const seen: unknown[] = [];
  const tool = defineCommand({
    name: "tool",
    summary: "",
    flags: [
      { name: "okta-app", type: "boolean", description: "" },
      { name: "shell", type: "string", values: ["sh", "fish"], description: "" },
      { name: "region", type: "string", description: "" },
      { name: "prefix", type: "string", default: "p-", description: "" },
      { name: "cluster", type: "string", required: true, description: "" },
      { name: "ttl", type: "duration", description: "" },
      { name: "tag", type: "list", description: "" },
    ],
    args: [{ name: "profile", required: true }, { name: "file" }, { name: "more", variadic: true }],
    action(input) {
      // Each line compiles only while the declaration gives the flag exactly this type.
      const oktaApp: boolean = input.flags["okta-app"];
      const shell: "sh" | "fish" | undefined = input.flags.shell;
      const region: string | undefined = input.flags.region;
      const prefix: string = input.flags.prefix;
      const cluster: string = input.flags.cluster;
      const ttl: number | undefined = input.flags.ttl;
      const tags: string[] = input.flags.tag;
      // Global flags (src/cli/global_flags.ts) are typed too.
      const debug: boolean = input.flags.debug;
      const backend: string | undefined = input.flags.backend;
      const profile: string = input.args.profile;
      const file: string | undefined = input.args.file;
      const more: string[] = input.args.more;
      // @ts-expect-error a misspelt flag name does not compile (it would if flags were a loose record)
      seen.push(input.flags["okta-ap"]);
      // @ts-expect-error an optional string flag may be undefined
      const notSure: string = input.flags.region;
      seen.push(
        oktaApp,
        shell,
        region,
        prefix,
        cluster,
        ttl,
        tags,
        debug,
        backend,
        profile,
        file,
        more,
        notSure,
      );
      return Promise.resolve();
    },
  });
  const root = defineCommand({ name: "aws-okta", summary: "", flags: GLOBAL_FLAGS, subcommands: [tool] });
  const argv = ["tool", "--okta-app", "--cluster", "c", "dev"];
  const parsed = parseCommandLine(root, argv, { get: () => undefined });
  assert.ok("command" in parsed);
  await parsed.command.action?.(parsed);
  // The values the parser hands the action are of the types declared above.
  assert.deepEqual(seen, [
    undefined,
    true,
    undefined,
    undefined,
    "p-",
    "c",
    undefined,
    [],
    false,
    undefined,
    "dev",
    undefined,
    [],
    undefined,
  ]);
});

Deno.test("lazyCommand: only the commands the command line names load, and a stub must match its module", async () => {
  const loaded: string[] = [];
  const declare = (name: string, summary = `${name} things`) =>
    lazyCommand({
      name,
      summary: `${name} things`,
      load: () => {
        loaded.push(name);
        return Promise.resolve(
          defineCommand({
            name,
            summary,
            flags: [{ name: `${name}-flag`, type: "boolean", description: "A flag" }],
          }),
        );
      },
    });
  const root = defineCommand({
    name: "tool",
    summary: "A tool",
    subcommands: [declare("one"), declare("two")],
  });
  await loadCommands(root, ["--debug", "two", "profile"]);
  assert.deepEqual(loaded, ["two"]);
  const [one, two] = root.subcommands!;
  assert.equal(two!.flags?.[0]?.name, "two-flag", "the stub became the whole declaration");
  assert.equal(one!.flags, undefined);
  const parsed = parseCommandLine(root, ["two", "--two-flag"], { get: () => undefined });
  assert.ok(!("help" in parsed) && !("version" in parsed) && parsed.flags["two-flag"] === true);
  await loadCommands(root);
  assert.deepEqual(loaded.sort(), ["one", "two"], "all of them, each once");

  const drifted = defineCommand({
    name: "tool",
    summary: "A tool",
    subcommands: [declare("three", "other")],
  });
  const stub = drifted.subcommands![0]!;
  stub.load = () => Promise.resolve(defineCommand({ name: "three", summary: "other" }));
  await assert.rejects(loadCommands(drifted), /lazyCommand "three": its summary differs/);
});
