import assert from "node:assert/strict";
import { parseCommandLine } from "../framework/parse.ts";
import { rootCommand } from "../root.ts";
import { loadCommands, type ParsedCommand } from "../framework/command.ts";
import { credentialsFileOf, execCommandOf, flagReader, formatOf } from "./flags.ts";

// The commands load when named (lazyCommand); these tests read every declaration.
await loadCommands(rootCommand);

function parse(argv: string[], env: Record<string, string> = {}): ParsedCommand {
  const result = parseCommandLine(rootCommand, argv, { get: (name) => env[name] });
  if (!("command" in result)) throw new Error("expected a command");
  return result;
}

Deno.test("okta-aws-cli flags: flag > OKTA_AWSCLI_* > okta.yaml profile > default", () => {
  const yaml = {
    "aws-iam-role": "from-yaml",
    format: "process-credentials",
    "write-aws-credentials": "true",
  };
  const fromYaml = flagReader(parse(["web"]), yaml);
  assert.equal(fromYaml.string("aws-iam-role"), "from-yaml");
  assert.equal(formatOf(fromYaml, false), "process-credentials");
  assert.equal(fromYaml.boolean("write-aws-credentials"), true);

  const fromEnv = flagReader(
    parse(["web"], { OKTA_AWSCLI_IAM_ROLE: "from-env", OKTA_AWSCLI_FORMAT: "noop" }),
    yaml,
  );
  assert.equal(fromEnv.string("aws-iam-role"), "from-env");
  assert.equal(formatOf(fromEnv, false), "noop");

  const fromFlag = flagReader(
    parse(["web", "-r", "from-flag", "-f", "env-var"], { OKTA_AWSCLI_IAM_ROLE: "e" }),
    yaml,
  );
  assert.equal(fromFlag.string("aws-iam-role"), "from-flag");
  assert.equal(
    formatOf(fromFlag, true),
    "aws-credentials",
    "--write-aws-credentials turns env-var into the file",
  );

  const defaults = flagReader(parse(["m2m"]), {});
  assert.equal(defaults.string("authz-id"), "default");
  assert.equal(defaults.string("custom-scope"), "okta-m2m-access");
  assert.equal(defaults.string("profile"), "default");
  assert.equal(defaults.integer("aws-session-duration"), undefined);
});

Deno.test("okta-aws-cli flags: short letters and legacy variables; bad okta.yaml values are usage errors", () => {
  const input = parse(["web", "-o", "acme.okta.com", "-s", "7200", "-k", "-q", "-e", "-y"], {
    OKTA_OIDC_CLIENT_ID: "0oaLegacy",
  });
  const read = flagReader(input, { "aws-session-duration": "x", format: "yaml" });
  assert.equal(read.string("org-domain"), "acme.okta.com");
  assert.equal(read.string("oidc-client-id"), "0oaLegacy");
  assert.equal(read.integer("aws-session-duration"), 7200);
  assert.equal(read.boolean("all-profiles"), true);
  assert.throws(
    () => flagReader(parse(["web"]), { "aws-session-duration": "x" }).integer("aws-session-duration"),
    /whole number/,
  );
  assert.throws(
    () => formatOf(flagReader(parse(["web"]), { format: "yaml" }), false),
    /invalid format "yaml"/,
  );
  assert.throws(() => parse(["web", "-f", "json"]), /invalid value "json" for --format/);
});

Deno.test("okta-aws-cli flags: --exec needs a command and a command needs --exec", () => {
  assert.deepEqual(execCommandOf(parse(["web", "--exec", "--", "aws", "s3", "ls"]), true, "u"), {
    command: "aws",
    args: ["s3", "ls"],
  });
  assert.throws(() => execCommandOf(parse(["web", "--exec"]), true, "u"), /--exec needs a command/);
  assert.throws(() => execCommandOf(parse(["web", "--", "aws"]), false, "u"), /unexpected arguments "aws"/);
  assert.equal(execCommandOf(parse(["web"]), false, "u"), undefined);
});

Deno.test("okta-aws-cli flags: the credentials file defaults like the AWS CLI's", () => {
  assert.equal(credentialsFileOf(undefined, undefined, "/home/a"), "/home/a/.aws/credentials");
  assert.equal(credentialsFileOf(undefined, "/etc/creds", "/home/a"), "/etc/creds");
  assert.equal(credentialsFileOf("~/x", "/etc/creds", "/home/a"), "/home/a/x");
});
