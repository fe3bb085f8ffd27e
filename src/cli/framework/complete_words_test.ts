import assert from "node:assert/strict";
import { loadCommands } from "./command.ts";
import { completeWords, type Completion, formatCompletion } from "./complete_words.ts";
import { rootCommand } from "../root.ts";

// The commands load when named (lazyCommand); these tests read every declaration.
await loadCommands(rootCommand);

const sources = { profiles: () => ["dev", "prod-admin"], backends: ["file", "pass"] };

function complete(...words: string[]): Completion {
  return completeWords(rootCommand, words, sources);
}

function values(...words: string[]): string[] {
  const result = complete(...words);
  assert.equal(result.directive, "words", `directive for ${JSON.stringify(words)}`);
  return result.candidates.map((c) => c.value);
}

Deno.test("completion: commands at the root, with summaries; hidden ones left out", () => {
  const all = complete("");
  const names = all.candidates.map((c) => c.value);
  for (
    const name of ["add", "cred-process", "exec", "env", "login", "list", "eks-token", "completion", "help"]
  ) {
    assert.ok(names.includes(name), name);
  }
  assert.ok(!names.includes("suggest"));
  assert.equal(
    all.candidates.find((c) => c.value === "exec")?.description,
    rootCommand.subcommands!.find((c) => c.name === "exec")!.summary,
  );
  assert.deepEqual(values("e"), ["exec", "env", "eks-token"].filter((n) => names.includes(n)));
  assert.deepEqual(values("wr"), ["write-to-credentials"]);
});

Deno.test("completion: flags in scope, global ones anywhere", () => {
  const root = values("--");
  assert.ok(root.includes("--backend") && root.includes("--version") && root.includes("--help"));
  const exec = values("exec", "--");
  assert.ok(exec.includes("--session-ttl") && exec.includes("--server") && exec.includes("--backend"));
  assert.ok(!exec.includes("--version"), "--version is the root's only");
  assert.deepEqual(values("exec", "--ser"), ["--server"]);
  assert.deepEqual(values("login", "--st"), ["--stdout"]);
});

Deno.test("completion: flag values from values, suggestions and backends", () => {
  assert.deepEqual(values("--backend", ""), ["file", "pass"]);
  assert.deepEqual(values("exec", "-b", "p"), ["pass"]);
  assert.deepEqual(values("exec", "--backend=f"), ["--backend=file"]);
  assert.deepEqual(values("env", "dev", "--shell", ""), ["bash", "zsh", "sh", "fish", "powershell", "cmd"]);
  assert.deepEqual(values("env", "--shell=f"), ["--shell=fish"]);
  assert.ok(values("--mfa-provider", "").includes("DUO"));
  assert.deepEqual(values("cred-process", "--mfa-factor-type", "token:s"), ["token:software:totp"]);
  assert.deepEqual(values("eks-token", "dev", "--cluster-name", ""), []);
  assert.ok(values("--debug", "").includes("exec"), "a boolean flag takes no separate value");
});

Deno.test("completion: profile arguments, and values skipped when counting arguments", () => {
  assert.deepEqual(values("exec", ""), ["dev", "prod-admin"]);
  assert.deepEqual(values("cred-process", "p"), ["prod-admin"]);
  assert.deepEqual(values("exec", "-t", "1h", ""), ["dev", "prod-admin"]);
  assert.deepEqual(values("exec", "--session-ttl", "1h", "--refresh", "d"), ["dev"]);
  assert.deepEqual(values("--backend", "file", "login", ""), ["dev", "prod-admin"]);
  assert.deepEqual(values("cred-process", "dev", ""), [], "no second argument");
  const broken = completeWords(rootCommand, ["exec", ""], {
    profiles: () => {
      throw new Error("bad config");
    },
    backends: [],
  });
  assert.deepEqual(broken, { candidates: [], directive: "words" });
});

Deno.test("completion: exec's command line completes commands, then files", () => {
  assert.equal(complete("exec", "dev", "").directive, "commands");
  assert.equal(complete("exec", "dev", "--", "").directive, "commands");
  assert.equal(complete("exec", "dev", "--", "aws", "").directive, "files");
  assert.equal(complete("exec", "dev", "aws", "s3", "--re").directive, "files");
  assert.equal(complete("exec", "--server", "dev", "ba").directive, "commands");
});

Deno.test("completion: files for write-to-credentials, shells for completion, commands for help", () => {
  assert.equal(complete("write-to-credentials", "dev", "").directive, "files");
  assert.deepEqual(values("write-to-credentials", ""), ["dev", "prod-admin"]);
  assert.deepEqual(values("completion", ""), ["bash", "zsh", "fish", "powershell"]);
  assert.deepEqual(values("help", "ex"), ["exec"]);
  assert.deepEqual(values("help", "exec", ""), []);
});

Deno.test("completion: the wire format", () => {
  assert.equal(
    formatCompletion({
      candidates: [{ value: "a", description: "first\tline\nsecond" }, { value: "b" }],
      directive: "words",
    }),
    "a\tfirst line second\nb\n:words\n",
  );
  assert.equal(formatCompletion({ candidates: [], directive: "files" }), ":files\n");
});

Deno.test("completion: populate and its flags come from its declaration", () => {
  assert.deepEqual(values("pop"), ["populate"]);
  const flags = values("populate", "--");
  for (const flag of ["--account", "--prefix", "--name-template", "--region", "--iam-alias", "--dry-run"]) {
    assert.ok(flags.includes(flag), flag);
  }
  assert.ok(flags.includes("--backend"), "global flags too");
});
