import assert from "node:assert/strict";
import { loadCommands, validateCommand } from "../framework/command.ts";
import { parseCommandLine } from "../framework/parse.ts";
import { rootCommand } from "../root.ts";
import { oktaAwsCliArgv, oktaAwsCliRoot, oktaAwsCliVersionText } from "./entry.ts";
import { cliModeOf } from "./mode.ts";

// The commands load when named (lazyCommand); these tests read every declaration.
await loadCommands(rootCommand);

function parse(argv: string[], env: Record<string, string> = {}) {
  return parseCommandLine(oktaAwsCliRoot, oktaAwsCliArgv(argv), { get: (name) => env[name] });
}

Deno.test("okta-aws-cli mode: chosen by the launcher's $0, else by a compiled binary's own name", () => {
  assert.equal(cliModeOf("/usr/local/bin/okta-aws-cli", "/lib/aws-okta/deno"), "okta-aws-cli");
  assert.equal(cliModeOf("okta-aws-cli", "/lib/aws-okta/deno"), "okta-aws-cli");
  assert.equal(cliModeOf("/usr/local/bin/aws-okta", "/lib/aws-okta/deno"), "aws-okta");
  assert.equal(cliModeOf("/opt/okta-aws-cli-old", "/lib/aws-okta/deno"), "aws-okta");
  // Compiled binaries: no launcher, the executable's name decides (a copy named okta-aws-cli).
  assert.equal(cliModeOf(undefined, "/usr/bin/okta-aws-cli"), "okta-aws-cli");
  assert.equal(cliModeOf(undefined, "C:\\tools\\okta-aws-cli.EXE"), "okta-aws-cli");
  assert.equal(cliModeOf(undefined, "/usr/bin/aws-okta"), "aws-okta");
  // `deno run src/main.ts`: deno's own path says nothing.
  assert.equal(cliModeOf(undefined, "/home/a/.deno/bin/deno"), "aws-okta");
});

Deno.test("okta-aws-cli mode: web unless a command is named (anywhere before --); -v is --version", () => {
  assert.deepEqual(oktaAwsCliArgv([]), []);
  assert.deepEqual(oktaAwsCliArgv(["-o", "x"]), ["web", "-o", "x"]);
  assert.deepEqual(oktaAwsCliArgv(["-o", "x", "m2m", "-r", "y"]), ["m2m", "-o", "x", "-r", "y"]);
  assert.deepEqual(oktaAwsCliArgv(["-j", "--", "echo", "m2m"]), ["web", "-j", "--", "echo", "m2m"]);
  assert.deepEqual(oktaAwsCliArgv(["-v"]), ["--version"]);
  assert.deepEqual(oktaAwsCliArgv(["--help"]), ["--help"]);
  assert.deepEqual(parse(["-v"]), { version: true });
  assert.equal(oktaAwsCliVersionText("1.2.3"), "okta-aws-cli version 2.6.0 (aws-okta 1.2.3)\n");
  assert.ok("help" in parse([]), "bare okta-aws-cli prints help, as it does");
  // Its commands aws-okta does not have are named as such, not taken as arguments of web.
  assert.throws(() => parse(["-o", "x", "direct"]), /unknown command "direct" for "okta-aws-cli"/);
});

Deno.test("okta-aws-cli mode: its short letters (-b, -d, -e) mean what they mean there", () => {
  const web = parse(["-o", "x", "-c", "y", "-b", "-d", "-e", "-y"]);
  assert.ok("command" in web);
  assert.equal(web.command.name, "web");
  assert.equal(web.flags["open-browser"], true);
  assert.equal(web.flags["debug-api-calls"], true);
  assert.equal(web.flags["cache-access-token"], true);
  assert.equal(web.flags["short-user-agent"], true);
  assert.equal(web.flags["backend"], undefined, "-b is not --backend here");

  const m2m = parse(["m2m", "-b", "/keys/k.pem", "-e", "-i", "kid"]);
  assert.ok("command" in m2m);
  assert.equal(m2m.flags["private-key-file"], "/keys/k.pem");
  assert.equal(m2m.flags["cache-access-token"], true);
  // aws-okta's own long flags still work.
  const long = parse(["web", "--backend", "file", "--debug"]);
  assert.ok("command" in long && long.flags["backend"] === "file" && long.flags["debug"] === true);

  // Under the name aws-okta, -b is still --backend.
  const own = parseCommandLine(rootCommand, ["web", "-b", "file"], { get: () => undefined });
  assert.ok("command" in own && own.flags["backend"] === "file");
});

Deno.test("okta-aws-cli mode: the command tree is valid (no letter taken twice)", () => {
  assert.deepEqual(validateCommand(oktaAwsCliRoot), []);
});
