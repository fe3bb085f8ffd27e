import assert from "node:assert/strict";
import { UsageError } from "../../errors.ts";
import { defineCommand, type FlagSpec, type ParsedCommand } from "./command.ts";
import { renderHelp, usageLine } from "./help.ts";
import { editDistance, parseBool, parseCommandLine, type ParseResult, suggest } from "./parse.ts";

const ttlFlags: readonly FlagSpec[] = [
  {
    name: "session-ttl",
    short: "t",
    type: "duration",
    valueName: "DURATION",
    description: "Expiration time for the Okta role session",
    env: ["AWS_SESSION_TTL"],
    default: "1h",
  },
  {
    name: "assume-role-ttl",
    short: "a",
    type: "duration",
    description: "Expiration time for the assumed role",
    env: ["AWS_ASSUME_ROLE_TTL"],
    default: 3600,
  },
];

/** Shaped like aws-okta's tree: global flags on the root; add, cred-process, exec, env, version. */
const root = defineCommand({
  name: "aws-okta",
  summary: "Log in to AWS through Okta",
  description: "aws-okta gets AWS credentials through Okta and caches them in your keyring.",
  flags: [
    {
      name: "backend",
      short: "b",
      type: "string",
      valueName: "NAME",
      description: "Secret backend to use",
      env: ["AWS_OKTA_BACKEND"],
      values: ["file", "pass", "secret-service"],
      global: true,
    },
    { name: "debug", short: "d", type: "boolean", description: "Enable debug logging", global: true },
    {
      name: "mfa-provider",
      type: "string",
      valueName: "PROVIDER",
      description: "MFA provider to use",
      env: ["AWS_OKTA_MFA_PROVIDER"],
      global: true,
    },
    {
      name: "mfa-factor-type",
      type: "string",
      valueName: "TYPE",
      description: "MFA factor type to use",
      env: ["AWS_OKTA_MFA_FACTOR_TYPE"],
      global: true,
    },
    {
      name: "mfa-duo-device",
      type: "string",
      valueName: "DEVICE",
      description: "Duo device to use",
      env: ["AWS_OKTA_MFA_DUO_DEVICE", "DUO_DEVICE"],
      default: "phone1",
      global: true,
    },
    {
      name: "session-cache-single-item",
      type: "boolean",
      description: "Keep all cached sessions in one keyring item",
      env: ["AWS_OKTA_SESSION_CACHE_SINGLE_ITEM"],
      global: true,
    },
    { name: "root-only", type: "boolean", description: "Only on the root", hidden: true },
  ],
  subcommands: [
    defineCommand({
      name: "add",
      summary: "Add Okta credentials",
      flags: [
        { name: "domain", type: "string", description: "Okta domain" },
        { name: "retries", type: "integer", description: "Login attempts", default: 3 },
        { name: "tag", type: "list", description: "Tag for the item" },
      ],
    }),
    defineCommand({
      name: "cred-process",
      aliases: ["cp"],
      summary: "Print credentials as JSON for credential_process",
      args: [{ name: "profile", required: true, description: "Profile in your AWS config" }],
      flags: [
        { name: "pretty", short: "p", type: "boolean", description: "Pretty-print the JSON" },
        ...ttlFlags,
      ],
      examples: [
        { description: "Print credentials for the dev profile", command: "aws-okta cred-process dev" },
        { description: "Shorter sessions", command: "aws-okta cred-process -t 30m dev" },
      ],
    }),
    defineCommand({
      name: "exec",
      summary: "Run a command with the profile's credentials in its environment",
      args: [{ name: "profile", required: true }, { name: "command", variadic: true }],
      flags: ttlFlags,
      passthrough: true,
    }),
    defineCommand({
      name: "env",
      summary: "Print export lines for a shell",
      args: [{ name: "profile", required: true }, { name: "shell" }],
      flags: ttlFlags,
    }),
    defineCommand({ name: "version", summary: "Print the version" }),
    defineCommand({ name: "internal", summary: "Hidden helper", hidden: true }),
  ],
});

type Vars = Record<string, string>;

function run(argv: string[], vars: Vars = {}): ParseResult {
  return parseCommandLine(root, argv, { get: (name) => vars[name] });
}

function parse(argv: string[], vars: Vars = {}): ParsedCommand {
  const result = run(argv, vars);
  if ("help" in result || "version" in result) throw new Error(`expected a command for ${argv.join(" ")}`);
  return result;
}

function help(argv: string[]): string {
  const result = run(argv);
  if (!("help" in result)) throw new Error(`expected help for ${argv.join(" ")}`);
  return result.help;
}

function fails(argv: string[], message: string, extra: { hint?: string; usage?: string; vars?: Vars } = {}) {
  assert.throws(() => run(argv, extra.vars), (error: unknown) => {
    assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
    assert.equal(error.message, message);
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes("\n"));
    assert.equal(error.hint, extra.hint);
    if (extra.usage !== undefined) assert.equal(error.usage, extra.usage);
    assert.match(error.usage ?? "", /^Usage: aws-okta/);
    return true;
  }, argv.join(" "));
}

Deno.test("a subcommand gets its arguments, flags, defaults and sources", () => {
  const parsed = parse(["cred-process", "dev"]);
  assert.deepEqual(parsed.path, ["cred-process"]);
  assert.equal(parsed.command.name, "cred-process");
  assert.deepEqual(parsed.args, { profile: "dev" });
  assert.deepEqual(parsed.rest, []);
  assert.deepEqual(parsed.flags, {
    backend: undefined,
    debug: false,
    "mfa-provider": undefined,
    "mfa-factor-type": undefined,
    "mfa-duo-device": "phone1",
    "session-cache-single-item": false,
    pretty: false,
    "session-ttl": 3600,
    "assume-role-ttl": 3600,
  });
  assert.deepEqual(parsed.sources, {
    debug: "default",
    "mfa-duo-device": "default",
    "session-cache-single-item": "default",
    pretty: "default",
    "session-ttl": "default",
    "assume-role-ttl": "default",
  });
});

Deno.test("value flags accept every pflag spelling", () => {
  for (
    const argv of [
      ["cred-process", "dev", "--session-ttl", "2h"],
      ["cred-process", "dev", "--session-ttl=2h"],
      ["cred-process", "-t", "2h", "dev"],
      ["cred-process", "-t2h", "dev"],
      ["cred-process", "-t=2h", "dev"],
      ["cred-process", "-pt", "2h", "dev"],
      ["cred-process", "-pt2h", "dev"],
    ]
  ) {
    const parsed = parse(argv);
    assert.equal(parsed.flags["session-ttl"], 7200, argv.join(" "));
    assert.equal(parsed.sources["session-ttl"], "flag");
    assert.equal(parsed.args["profile"], "dev");
  }
});

Deno.test("booleans: bare, bundled, and with an explicit value", () => {
  const bundled = parse(["cred-process", "-pd", "dev"]);
  assert.equal(bundled.flags["pretty"], true);
  assert.equal(bundled.flags["debug"], true);
  assert.equal(bundled.sources["debug"], "flag");
  assert.equal(parse(["cred-process", "dev", "--pretty=false"]).flags["pretty"], false);
  assert.equal(parse(["cred-process", "dev", "--pretty=false"]).sources["pretty"], "flag");
  assert.equal(parse(["cred-process", "dev", "-p=false"]).flags["pretty"], false);
  assert.equal(parse(["cred-process", "dev", "--debug=T"]).flags["debug"], true);
  // A bare boolean does not take the next word as its value.
  assert.equal(parse(["cred-process", "--pretty", "dev"]).args["profile"], "dev");
  fails(["cred-process", "dev", "--pretty=maybe"], 'invalid value "maybe" for --pretty: use true or false');
  fails(["cred-process", "dev", "-p=yes"], 'invalid value "yes" for --pretty: use true or false');
});

Deno.test("global flags work before and after the subcommand", () => {
  for (
    const argv of [
      ["-b", "pass", "-d", "cred-process", "dev"],
      ["cred-process", "dev", "--backend=pass", "--debug"],
      ["--debug", "cp", "--backend", "pass", "dev"],
    ]
  ) {
    const parsed = parse(argv);
    assert.deepEqual(parsed.path, ["cred-process"], argv.join(" "));
    assert.equal(parsed.flags["backend"], "pass");
    assert.equal(parsed.flags["debug"], true);
  }
  // The last occurrence wins.
  assert.equal(parse(["-b", "file", "cred-process", "-b", "pass", "dev"]).flags["backend"], "pass");
});

Deno.test("a root-only flag before the subcommand is refused", () => {
  // Accepted on the root itself (which, having no action, shows its help).
  assert.equal(help(["--root-only"]), renderHelp(root, []));
  fails(
    ["--root-only", "cred-process", "dev"],
    'flag "--root-only" is not accepted by "aws-okta cred-process"',
  );
});

Deno.test("env fallbacks: flag > env > default, first non-empty variable wins", () => {
  const fromEnv = parse(["cred-process", "dev"], { AWS_SESSION_TTL: "30m", AWS_OKTA_BACKEND: "pass" });
  assert.equal(fromEnv.flags["session-ttl"], 1800);
  assert.equal(fromEnv.sources["session-ttl"], "env:AWS_SESSION_TTL");
  assert.equal(fromEnv.flags["backend"], "pass");
  assert.equal(fromEnv.sources["backend"], "env:AWS_OKTA_BACKEND");
  const flagWins = parse(["cred-process", "-t", "2h", "dev"], { AWS_SESSION_TTL: "30m" });
  assert.equal(flagWins.flags["session-ttl"], 7200);
  assert.equal(flagWins.sources["session-ttl"], "flag");
  const empty = parse(["cred-process", "dev"], { AWS_SESSION_TTL: "" });
  assert.equal(empty.sources["session-ttl"], "default");
  const second = parse(["cred-process", "dev"], { AWS_OKTA_MFA_DUO_DEVICE: "", DUO_DEVICE: "token" });
  assert.equal(second.flags["mfa-duo-device"], "token");
  assert.equal(second.sources["mfa-duo-device"], "env:DUO_DEVICE");
  const first = parse(["cred-process", "dev"], { AWS_OKTA_MFA_DUO_DEVICE: "phone2", DUO_DEVICE: "token" });
  assert.equal(first.flags["mfa-duo-device"], "phone2");
});

Deno.test("boolean env variables take Go's ParseBool words", () => {
  const words: [string, boolean][] = [
    ["1", true],
    ["t", true],
    ["T", true],
    ["TRUE", true],
    ["true", true],
    ["True", true],
    ["0", false],
    ["f", false],
    ["F", false],
    ["FALSE", false],
    ["false", false],
    ["False", false],
  ];
  for (const [word, value] of words) {
    const parsed = parse(["cred-process", "dev"], { AWS_OKTA_SESSION_CACHE_SINGLE_ITEM: word });
    assert.equal(parsed.flags["session-cache-single-item"], value, word);
    assert.equal(parsed.sources["session-cache-single-item"], "env:AWS_OKTA_SESSION_CACHE_SINGLE_ITEM");
  }
  for (const word of ["maybe", "yes", "tRUE", "2"]) assert.equal(parseBool(word), undefined, word);
  fails(
    ["cred-process", "dev"],
    'invalid value "maybe" in AWS_OKTA_SESSION_CACHE_SINGLE_ITEM: use true or false',
    { vars: { AWS_OKTA_SESSION_CACHE_SINGLE_ITEM: "maybe" } },
  );
});

Deno.test("durations: Go syntax or seconds, from flags and env", () => {
  const table: [string, number][] = [
    ["1h", 3600],
    ["90m", 5400],
    ["1h30m", 5400],
    ["3600s", 3600],
    ["1.5h", 5400],
    ["3600", 3600],
    ["15m", 900],
    ["12h", 43200],
  ];
  for (const [text, seconds] of table) {
    assert.equal(parse(["cred-process", "dev", `--session-ttl=${text}`]).flags["session-ttl"], seconds, text);
    assert.equal(
      parse(["cred-process", "dev"], { AWS_ASSUME_ROLE_TTL: text }).flags["assume-role-ttl"],
      seconds,
    );
  }
  const hint = "use a Go duration or a number of seconds, e.g. 1h, 90m, 3600s";
  for (const bad of ["abc", "1x", "h", "-1h", "1h-", ""]) {
    fails(
      ["cred-process", "dev", `--session-ttl=${bad}`],
      `invalid duration "${bad}" for --session-ttl: ${hint}`,
    );
  }
  fails(["cred-process", "-t", "abc", "dev"], `invalid duration "abc" for --session-ttl: ${hint}`);
  fails(["cred-process", "dev"], `invalid duration "soon" in AWS_SESSION_TTL: ${hint}`, {
    vars: { AWS_SESSION_TTL: "soon" },
  });
});

Deno.test("enumerated values are checked on flags and env", () => {
  assert.equal(parse(["cred-process", "dev", "-b", "secret-service"]).flags["backend"], "secret-service");
  fails(
    ["-b", "vault", "cred-process", "dev"],
    'invalid value "vault" for --backend: use one of file, pass, secret-service',
  );
  fails(
    ["cred-process", "dev"],
    'invalid value "vault" in AWS_OKTA_BACKEND: use one of file, pass, secret-service',
    {
      vars: { AWS_OKTA_BACKEND: "vault" },
    },
  );
});

Deno.test("integer and list flags", () => {
  assert.equal(parse(["add"]).flags["retries"], 3);
  assert.equal(parse(["add", "--retries", "5"]).flags["retries"], 5);
  assert.equal(parse(["add", "--retries", "-1"]).flags["retries"], -1);
  fails(["add", "--retries", "x"], 'invalid value "x" for --retries: use a whole number');
  fails(["add", "--retries=1.5"], 'invalid value "1.5" for --retries: use a whole number');
  const listed = parse(["add", "--tag", "a", "--tag=b,c"]);
  assert.deepEqual(listed.flags["tag"], ["a", "b,c"]);
  assert.equal(listed.sources["tag"], "flag");
  assert.deepEqual(parse(["add"]).flags["tag"], []);
});

Deno.test("a value flag never swallows the next flag", () => {
  fails(["cred-process", "dev", "-t"], "missing value for --session-ttl");
  fails(["cred-process", "dev", "--session-ttl"], "missing value for --session-ttl");
  fails(["--mfa-provider", "--debug", "cred-process", "dev"], "missing value for --mfa-provider");
  fails(["cred-process", "-t", "--", "dev"], "missing value for --session-ttl");
  assert.equal(parse(["--mfa-provider=-x", "cred-process", "dev"]).flags["mfa-provider"], "-x");
  assert.equal(parse(["--mfa-provider", "-", "cred-process", "dev"]).flags["mfa-provider"], "-");
});

Deno.test("unknown flags name the flag and suggest a near one", () => {
  fails(["cred-process", "dev", "--prety"], 'unknown flag "--prety"', {
    hint: 'did you mean "--pretty"?',
    usage: "Usage: aws-okta cred-process [flags] <profile>",
  });
  fails(["cred-process", "dev", "--foo"], 'unknown flag "--foo"');
  fails(["cred-process", "dev", "--backedn=pass"], 'unknown flag "--backedn"', {
    hint: 'did you mean "--backend"?',
  });
  fails(["cred-process", "dev", "-x"], 'unknown flag "-x"');
  fails(["cred-process", "dev", "-px"], 'unknown flag "-x" in "-px"');
  fails(["cred-process", "dev", "-debug"], 'unknown flag "-e" in "-debug"', {
    hint: 'did you mean "--debug"?',
  });
  fails(["--versoin"], 'unknown flag "--versoin"', { hint: 'did you mean "--version"?' });
});

Deno.test("--version on the root only; no -v", () => {
  assert.deepEqual(run(["--version"]), { version: true });
  assert.deepEqual(run(["-d", "--version"]), { version: true });
  fails(["cred-process", "dev", "--version"], 'unknown flag "--version"');
  fails(["-v"], 'unknown flag "-v"');
});

Deno.test("unknown commands suggest a near one", () => {
  fails(["cred-proces", "dev"], 'unknown command "cred-proces" for "aws-okta"', {
    hint: 'did you mean "cred-process"?',
    usage: "Usage: aws-okta <command> [flags]",
  });
  fails(["cred"], 'unknown command "cred" for "aws-okta"', { hint: 'did you mean "cred-process"?' });
  fails(["exce"], 'unknown command "exce" for "aws-okta"', { hint: 'did you mean "exec"?' });
  fails(["login"], 'unknown command "login" for "aws-okta"');
  // Hidden commands run but are never suggested.
  fails(["interna"], 'unknown command "interna" for "aws-okta"');
  assert.deepEqual(parse(["internal"]).path, ["internal"]);
});

Deno.test("argument count errors", () => {
  fails(["cred-process"], "missing argument <profile>", {
    usage: "Usage: aws-okta cred-process [flags] <profile>",
  });
  fails(["cred-process", "-p"], "missing argument <profile>");
  fails(["cred-process", "a", "b"], 'too many arguments: unexpected "b"');
  fails(["env", "a", "bash", "c", "d"], 'too many arguments: unexpected "c" "d"', {
    usage: "Usage: aws-okta env [flags] <profile> [shell]",
  });
  fails(["version", "extra"], 'too many arguments: unexpected "extra"');
  assert.deepEqual(parse(["env", "dev"]).args, { profile: "dev", shell: undefined });
});

Deno.test("-- ends flags for ordinary commands", () => {
  const parsed = parse(["env", "dev", "--", "-weird"]);
  assert.deepEqual(parsed.args, { profile: "dev", shell: "-weird" });
  assert.deepEqual(parsed.rest, []);
  fails(["env", "--", "dev", "--debug", "x"], 'too many arguments: unexpected "x"');
});

Deno.test("passthrough: everything after -- or after the last argument goes to rest unparsed", () => {
  const dashed = parse([
    "exec",
    "-t",
    "2h",
    "dev",
    "--debug",
    "--",
    "aws",
    "s3",
    "ls",
    "--recursive",
    "-t",
    "x",
  ]);
  assert.deepEqual(dashed.rest, ["aws", "s3", "ls", "--recursive", "-t", "x"]);
  assert.deepEqual(dashed.args, { profile: "dev", command: ["aws", "s3", "ls", "--recursive", "-t", "x"] });
  assert.equal(dashed.flags["session-ttl"], 7200);
  assert.equal(dashed.flags["debug"], true);
  const bare = parse(["exec", "dev", "aws", "--help", "-t", "1m"]);
  assert.deepEqual(bare.rest, ["aws", "--help", "-t", "1m"]);
  assert.equal(bare.flags["session-ttl"], 3600);
  assert.deepEqual(parse(["exec", "dev", "--", "--help"]).rest, ["--help"]);
  assert.deepEqual(parse(["exec", "dev"]).rest, []);
  assert.deepEqual(parse(["exec", "dev"]).args, { profile: "dev", command: [] });
  assert.deepEqual(parse(["exec", "dev", "--"]).rest, []);
  fails(["exec"], "missing argument <profile>", {
    usage: "Usage: aws-okta exec [flags] <profile> -- [command...]",
  });
  fails(["exec", "--", "aws"], "missing argument <profile>");
  fails(["exec", "--", "aws", "--help"], "missing argument <profile>");
});

Deno.test("-h, --help and help <command> give the right command's help", () => {
  const rootHelp = renderHelp(root, []);
  const credHelp = renderHelp(root, ["cred-process"]);
  assert.equal(help([]), rootHelp);
  assert.equal(help(["--help"]), rootHelp);
  assert.equal(help(["-h"]), rootHelp);
  assert.equal(help(["help"]), rootHelp);
  assert.equal(help(["-d"]), rootHelp);
  for (
    const argv of [
      ["cred-process", "--help"],
      ["cred-process", "-h"],
      ["cp", "-h", "dev"],
      ["--help", "cred-process"],
      ["cred-process", "-ph"],
      ["help", "cred-process"],
      ["help", "cp", "--debug"],
      ["cred-process", "--bogus", "--help"],
      ["cred-process", "-t", "nonsense", "-h"],
      ["-b", "vault", "cred-process", "-h"],
    ]
  ) {
    assert.equal(help(argv), credHelp, argv.join(" "));
  }
  fails(["help", "nope"], 'unknown command "nope" for "aws-okta"');
  // Help for the child command is the child's business.
  assert.deepEqual(parse(["exec", "dev", "--", "aws", "--help"]).rest, ["aws", "--help"]);
});

Deno.test("usage lines", () => {
  assert.equal(usageLine(root, []), "aws-okta <command> [flags]");
  assert.equal(usageLine(root, ["cred-process"]), "aws-okta cred-process [flags] <profile>");
  assert.equal(usageLine(root, ["exec"]), "aws-okta exec [flags] <profile> -- [command...]");
  assert.equal(usageLine(root, ["env"]), "aws-okta env [flags] <profile> [shell]");
  assert.equal(usageLine(root, ["version"]), "aws-okta version [flags]");
  assert.throws(() => usageLine(root, ["nope"]), /no command "nope"/);
});

Deno.test("root help snapshot", () => {
  assert.equal(
    renderHelp(root, []),
    `aws-okta gets AWS credentials through Okta and caches them in your keyring.

Usage:
  aws-okta <command> [flags]

Available Commands:
  add            Add Okta credentials
  cred-process   Print credentials as JSON for credential_process
  env            Print export lines for a shell
  exec           Run a command with the profile's credentials in its environment
  help           Help about any command
  version        Print the version

Flags:
  -b, --backend NAME                Secret backend to use (one of: file, pass, secret-service)
                                    [env: AWS_OKTA_BACKEND]
  -d, --debug                       Enable debug logging
  -h, --help                        help for aws-okta
      --mfa-duo-device DEVICE       Duo device to use (default "phone1")
                                    [env: AWS_OKTA_MFA_DUO_DEVICE, DUO_DEVICE]
      --mfa-factor-type TYPE        MFA factor type to use [env: AWS_OKTA_MFA_FACTOR_TYPE]
      --mfa-provider PROVIDER       MFA provider to use [env: AWS_OKTA_MFA_PROVIDER]
      --session-cache-single-item   Keep all cached sessions in one keyring item
                                    [env: AWS_OKTA_SESSION_CACHE_SINGLE_ITEM]
      --version                     version for aws-okta

Use "aws-okta <command> --help" for more information about a command.
`,
  );
});

Deno.test("subcommand help snapshot", () => {
  assert.equal(
    renderHelp(root, ["cred-process"]),
    `Print credentials as JSON for credential_process

Usage:
  aws-okta cred-process [flags] <profile>

Aliases:
  cred-process, cp

Examples:
  # Print credentials for the dev profile
  aws-okta cred-process dev

  # Shorter sessions
  aws-okta cred-process -t 30m dev

Arguments:
  <profile>   Profile in your AWS config

Flags:
  -a, --assume-role-ttl DURATION   Expiration time for the assumed role (default 1h)
                                   [env: AWS_ASSUME_ROLE_TTL]
  -h, --help                       help for cred-process
  -p, --pretty                     Pretty-print the JSON
  -t, --session-ttl DURATION       Expiration time for the Okta role session (default 1h)
                                   [env: AWS_SESSION_TTL]

Global Flags:
  -b, --backend NAME                Secret backend to use (one of: file, pass, secret-service)
                                    [env: AWS_OKTA_BACKEND]
  -d, --debug                       Enable debug logging
      --mfa-duo-device DEVICE       Duo device to use (default "phone1")
                                    [env: AWS_OKTA_MFA_DUO_DEVICE, DUO_DEVICE]
      --mfa-factor-type TYPE        MFA factor type to use [env: AWS_OKTA_MFA_FACTOR_TYPE]
      --mfa-provider PROVIDER       MFA provider to use [env: AWS_OKTA_MFA_PROVIDER]
      --session-cache-single-item   Keep all cached sessions in one keyring item
                                    [env: AWS_OKTA_SESSION_CACHE_SINGLE_ITEM]
`,
  );
});

Deno.test("help wraps long text to 100 columns", () => {
  const long = "word ".repeat(60).trim();
  const tree = defineCommand({
    name: "tool",
    summary: "Tool",
    description: `${long}\n\nSecond paragraph.`,
    subcommands: [
      defineCommand({
        name: "run",
        summary: long,
        flags: [{ name: "a-very-long-flag-name-that-takes-space", type: "string", description: long }],
      }),
    ],
  });
  for (const path of [[], ["run"]]) {
    const text = renderHelp(tree, path);
    for (const line of text.split("\n")) assert.ok(line.length <= 100, `too long: ${line}`);
  }
  const rootText = renderHelp(tree, []);
  assert.match(
    rootText,
    /^word word.*\n(.*word\n)+\nSecond paragraph\.\n\nUsage:\n {2}tool <command> \[flags\]\n/,
  );
  assert.match(rootText, /\n {2}run {4}word word .*\n {9}word word/);
  // A flag column too wide to share a line puts its description below.
  assert.match(
    renderHelp(tree, ["run"]),
    /\n {6}--a-very-long-flag-name-that-takes-space VALUE\n {10,}word word/,
  );
});

Deno.test("suggest and editDistance", () => {
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("exec", "exec"), 0);
  assert.equal(suggest("exce", ["add", "exec", "env"]), "exec");
  assert.equal(suggest("cred", ["add", "cred-process"]), "cred-process");
  assert.equal(suggest("zzzzzz", ["add", "exec"]), undefined);
  assert.equal(suggest("e", ["exec"]), undefined);
});

Deno.test("required flags and arguments, and argument values, are usage errors naming what is missing", () => {
  const tree = defineCommand({
    name: "aws-okta",
    summary: "",
    subcommands: [
      defineCommand({
        name: "eks-token",
        summary: "",
        args: [{ name: "profile", required: true }],
        flags: [
          { name: "cluster-name", type: "string", valueName: "NAME", description: "", required: true },
          { name: "org", type: "string", description: "", env: ["ORG", "OKTA_ORG"], required: true },
        ],
      }),
      defineCommand({
        name: "exec",
        summary: "",
        args: [{ name: "profile", required: true }, { name: "command", required: true, variadic: true }],
        passthrough: true,
      }),
      defineCommand({
        name: "completion",
        summary: "",
        args: [{ name: "shell", required: true, values: ["bash", "zsh"] }],
      }),
    ],
  });
  const failure = (argv: string[], vars: Vars = {}) => {
    try {
      parseCommandLine(tree, argv, { get: (name) => vars[name] });
    } catch (error) {
      assert.ok(error instanceof UsageError);
      assert.equal(error.exitCode, 2);
      return [error.message, error.hint, error.usage];
    }
    throw new Error(`no usage error for ${argv.join(" ")}`);
  };
  const eksUsage = "Usage: aws-okta eks-token [flags] --cluster-name NAME --org VALUE <profile>";
  assert.equal(usageLine(tree, ["eks-token"]), eksUsage.slice("Usage: ".length));
  // Arguments first, then flags in declaration order; a flag's variables are named in the hint.
  assert.deepEqual(failure(["eks-token"]), ["missing argument <profile>", undefined, eksUsage]);
  assert.deepEqual(failure(["eks-token", "dev"]), ["missing --cluster-name", undefined, eksUsage]);
  assert.deepEqual(failure(["eks-token", "dev", "--cluster-name", "c"]), [
    "missing --org",
    "pass --org or set ORG or OKTA_ORG",
    eksUsage,
  ]);
  // A variable satisfies a required flag; an empty value given on the command line is the action's business.
  const parsed = parseCommandLine(tree, ["eks-token", "dev", "--cluster-name", ""], {
    get: (name) => name === "OKTA_ORG" ? "acme" : undefined,
  });
  assert.ok("flags" in parsed);
  assert.deepEqual(parsed.flags, { "cluster-name": "", org: "acme" });
  // Help is still help.
  assert.ok("help" in parseCommandLine(tree, ["eks-token", "--help"], { get: () => undefined }));

  const execUsage = "Usage: aws-okta exec [flags] <profile> -- <command>...";
  assert.deepEqual(failure(["exec", "dev"]), ['missing argument <command> after "--"', undefined, execUsage]);
  assert.deepEqual(failure(["exec", "dev", "--"]), [
    'missing argument <command> after "--"',
    undefined,
    execUsage,
  ]);

  assert.deepEqual(failure(["completion", "tcsh"]), [
    'invalid value "tcsh" for <shell>: use one of bash, zsh',
    undefined,
    "Usage: aws-okta completion [flags] <shell>",
  ]);
  const shell = parseCommandLine(tree, ["completion", "zsh"], { get: () => undefined });
  assert.ok("args" in shell);
  assert.deepEqual(shell.args, { shell: "zsh" });
});
