/**
 * End to end: the scripts of `aws-okta completion` loaded into real bash, zsh and fish, completing
 * commands, flags, flag values and the profile names of the config file through an `aws-okta` on
 * PATH (the real CLI).
 */

import assert from "node:assert/strict";
import { BACKENDS } from "../../src/keyring/select.ts";
import { createWorld, expectCode, samlUrlOf, type World } from "./harness.ts";
import { envWithLauncher, installLauncher } from "./launcher.ts";

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

interface Shells {
  world: World;
  env: Record<string, string>;
  /** Saved scripts by shell. */
  scripts: Record<string, string>;
}

async function setUp(): Promise<Shells> {
  const world = await createWorld();
  await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile okta-dev]
okta_aws_role_arn = ${ENGINEER}

[profile prod-admin]
source_profile = okta-dev
role_arn = arn:aws:iam::123456789012:role/Admin

[profile static]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = x
`);
  const bin = await installLauncher(world);
  const scripts: Record<string, string> = {};
  for (const shell of ["bash", "zsh", "fish", "powershell"]) {
    const result = await world.run(["completion", shell]);
    expectCode(result, 0);
    scripts[shell] = `${world.home}/completion.${shell}`;
    await Deno.writeTextFile(scripts[shell], result.stdout);
  }
  return { world, env: envWithLauncher(world, bin), scripts };
}

async function run(shell: string, args: string[], env: Record<string, string>): Promise<string> {
  const output = await new Deno.Command(shell, {
    args,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `${shell} failed: ${stderr}`);
  return new TextDecoder().decode(output.stdout);
}

/** What bash's completion function puts in COMPREPLY for `line` (the cursor at its end). */
async function bashComplete(s: Shells, line: string): Promise<string[]> {
  const script = `
source '${s.scripts.bash}'
COMP_LINE=${shellQuote(line)}
COMP_POINT=\${#COMP_LINE}
COMP_WORDBREAKS=$' \\t\\n"\\'><=;|&(:'
read -r -a COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_aws_okta_completions
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  return (await run("bash", ["--norc", "--noprofile", "-c", script], s.env)).split("\n").filter(Boolean);
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

Deno.test("completion bash: registered with complete -p; commands, flags, values and profile names", async () => {
  const s = await setUp();
  try {
    const registered = await run(
      "bash",
      ["--norc", "--noprofile", "-c", `source '${s.scripts.bash}'; complete -p aws-okta`],
      s.env,
    );
    assert.equal(registered.trim(), "complete -F _aws_okta_completions aws-okta");

    const commands = await bashComplete(s, "aws-okta ");
    for (const name of ["add", "cred-process", "exec", "env", "login", "list", "eks-token", "completion"]) {
      assert.ok(commands.includes(name), `${name} in ${commands}`);
    }
    assert.deepEqual(await bashComplete(s, "aws-okta wri"), ["write-to-credentials"]);
    assert.deepEqual(
      await bashComplete(s, "aws-okta exec "),
      ["okta-dev", "prod-admin"],
      "profiles of the config",
    );
    assert.deepEqual(await bashComplete(s, "aws-okta cred-process --pretty p"), ["prod-admin"]);
    assert.deepEqual(await bashComplete(s, "aws-okta exec --ser"), ["--server"]);
    assert.deepEqual(await bashComplete(s, "aws-okta env okta-dev --shell f"), ["fish"]);
    // bash splits "--shell=f" at "="; only the part after it is replaced.
    assert.deepEqual(await bashComplete(s, "aws-okta env --shell=f"), ["fish"]);
    assert.deepEqual(await bashComplete(s, "aws-okta --backend "), [...BACKENDS]);
    assert.ok((await bashComplete(s, "aws-okta --mfa-factor-type token:s")).includes("software:totp"));
    assert.deepEqual(await bashComplete(s, "aws-okta completion "), ["bash", "zsh", "fish", "powershell"]);

    await Deno.writeTextFile(`${s.world.home}/creds-file`, "");
    const files = await bashComplete(s, `aws-okta write-to-credentials okta-dev ${s.world.home}/creds-`);
    assert.deepEqual(files, [`${s.world.home}/creds-file`]);
    assert.ok((await bashComplete(s, "aws-okta exec okta-dev -- bas")).includes("bash"), "commands after --");
  } finally {
    await s.world.close();
  }
});

Deno.test("completion zsh: the function offers commands, descriptions and profile names", async () => {
  const s = await setUp();
  try {
    // compadd and friends exist only inside zsh's completion system: stand-ins print what they get.
    const complete = async (...words: string[]) => {
      const script = `
compadd() { print -rl -- "\${values[@]}"; print -rl -- "\${displays[@]}" > '${s.world.home}/displays' }
_files() { print -r -- "<files>" }
_command_names() { print -r -- "<commands>" }
source '${s.scripts.zsh}'
words=(aws-okta ${words.map(shellQuote).join(" ")})
CURRENT=\${#words}
_aws-okta
`;
      return (await run("zsh", ["-f", "-c", script], s.env)).split("\n").filter(Boolean);
    };
    const commands = await complete("");
    assert.ok(commands.includes("login") && commands.includes("eks-token"), String(commands));
    const displays = await Deno.readTextFile(`${s.world.home}/displays`);
    assert.match(displays, /^login {2}-- Open the AWS console/m);
    assert.deepEqual(await complete("login", ""), ["okta-dev", "prod-admin"]);
    assert.deepEqual(await complete("env", "--shell=p"), ["--shell=powershell"]);
    assert.deepEqual(await complete("write-to-credentials", "okta-dev", ""), ["<files>"]);
    assert.deepEqual(await complete("exec", "okta-dev", ""), ["<commands>"]);
  } finally {
    await s.world.close();
  }
});

Deno.test("completion fish: complete -C completes commands with descriptions and profile names", async () => {
  const s = await setUp();
  try {
    const complete = async (line: string) => {
      const out = await run("fish", [
        "--no-config",
        "-c",
        `source '${s.scripts.fish}'; complete -C${shellQuote(line)}`,
      ], s.env);
      return out.split("\n").filter(Boolean);
    };
    const commands = await complete("aws-okta ");
    assert.ok(commands.some((line) => /^login\tOpen the AWS console/.test(line)), commands.join("\n"));
    assert.deepEqual(await complete("aws-okta exec "), ["okta-dev", "prod-admin"]);
    assert.deepEqual(await complete("aws-okta env okta-dev --shell=z"), ["--shell=zsh"]);
    const flags = await complete("aws-okta eks-token --");
    assert.ok(flags.every((line) => line.startsWith("--")), flags.join("\n"));
    assert.ok(flags.some((line) => line.startsWith("--cluster-name\tEKS cluster name")), flags.join("\n"));
  } finally {
    await s.world.close();
  }
});

Deno.test("completion: the PowerShell script registers a native completer; an unsupported shell is a usage error", async () => {
  const s = await setUp();
  try {
    const ps = await Deno.readTextFile(s.scripts.powershell!);
    assert.match(ps, /^Register-ArgumentCompleter -Native -CommandName 'aws-okta' -ScriptBlock \{$/m);
    assert.match(ps, /completion suggest "--current=\$wordToComplete" '--' @words/);
    const bad = await s.world.run(["completion", "tcsh"]);
    expectCode(bad, 2);
    assert.equal(bad.stdout, "");
    assert.equal(
      bad.stderr,
      'aws-okta: invalid value "tcsh" for <shell>: use one of bash, zsh, fish, powershell\n' +
        "Usage: aws-okta completion [flags] <shell>\n",
    );
    const missing = await s.world.run(["completion"]);
    expectCode(missing, 2);
    assert.match(missing.stderr, /missing argument <shell>/);
  } finally {
    await s.world.close();
  }
});
