/**
 * The prompter runs in a child Deno process so its real stdin, stdout and stderr are tested:
 * piped stdin for the non-interactive path, and a pseudo-terminal (through python3's pty module)
 * for echo-off secrets and Ctrl-C.
 */
import assert from "node:assert/strict";
import { reportMissingPeer } from "../../tests/peers.ts";
import { PYTHON, runOnPty } from "../../tests/pty.ts";

type Op = ["text", string, string?] | ["secret", string] | ["choose", string, string[]] | ["say", string];
type Result = string | number | null | { error: string; hint?: string; exitCode: number };

const TERMINAL_URL = new URL("./terminal.ts", import.meta.url).href;

/** Runs the ops with one prompter; writes results (not stdout, which must stay empty) to a file. */
const SCRIPT = `import { createPrompter } from ${JSON.stringify(TERMINAL_URL)};
const [mode, opsJson, outPath, readRest] = Deno.args;
const prompter = createPrompter({ mode, env: { get: (name) => Deno.env.get(name) } });
const results = [];
let code = 0;
for (const op of JSON.parse(opsJson)) {
  try {
    if (op[0] === "text") results.push(await prompter.text(op[1], op[2] ?? undefined));
    else if (op[0] === "secret") results.push(await prompter.secret(op[1]));
    else if (op[0] === "choose") results.push(await prompter.choose(op[1], op[2]));
    else { prompter.say(op[1]); results.push(null); }
  } catch (error) {
    results.push({ error: error.message, hint: error.hint, exitCode: error.exitCode });
    code = error.exitCode ?? 1;
  }
}
const rest = readRest === "rest" ? await new Response(Deno.stdin.readable).text() : null;
Deno.writeTextFileSync(outPath, JSON.stringify({ results, rest }));
Deno.exit(code);
`;

let scriptPath: string | undefined;
async function script(): Promise<string> {
  scriptPath ??= await Deno.makeTempFile({ prefix: "prompter_", suffix: ".ts" });
  await Deno.writeTextFile(scriptPath, SCRIPT);
  return scriptPath;
}

/**
 * setsid detaches the child from any controlling terminal, so /dev/tty is never the developer's.
 * Windows has neither (and under Wine "/usr/bin/setsid" would name the Linux file on drive Z:).
 */
const SETSID = Deno.build.os === "windows" ? undefined : ["/usr/bin/setsid", "/bin/setsid"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});
if (SETSID === undefined && Deno.build.os !== "windows") reportMissingPeer("setsid");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  results: Result[];
  rest: string | null;
}

async function run(
  ops: Op[],
  options: { stdin?: string; mode?: string; env?: Record<string, string>; rest?: boolean } = {},
): Promise<Run> {
  const out = await Deno.makeTempFile();
  const args = [
    "run",
    "--no-config",
    "-A",
    await script(),
    options.mode ?? "auto",
    JSON.stringify(ops),
    out,
    options.rest ? "rest" : "",
  ];
  const [command, ...prefix] = SETSID ? [SETSID, "-w", Deno.execPath()] : [Deno.execPath()];
  const child = new Deno.Command(command!, {
    args: [...prefix, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { AWS_OKTA_PROMPT: "", ...options.env },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(options.stdin ?? ""));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const saved = JSON.parse(await Deno.readTextFile(out));
  await Deno.remove(out);
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr), ...saved };
}

const FACTORS = ["OKTA (push)", "GOOGLE (token:software:totp)"];

Deno.test("piped answers: each prompt gets the next line, prompts go to stderr only", async () => {
  const result = await run([
    ["text", "Okta username: "],
    ["text", "Okta region ([us], emea, preview): ", "us"],
    ["secret", "Okta password: "],
    ["choose", "Select an MFA factor:", FACTORS],
    ["say", "Waiting for the push notification"],
  ], { stdin: "alice\n\n p@ss word \n2\n" });
  assert.deepEqual(result.results, ["alice", "us", " p@ss word ", 1, null]);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    "Okta username: \nOkta region ([us], emea, preview): \nOkta password: \n" +
      "Select an MFA factor:\n  1) OKTA (push)\n  2) GOOGLE (token:software:totp)\nEnter a number (1-2): \n" +
      "Waiting for the push notification\n",
  );
});

Deno.test("piped answers: CRLF line ends and a last line without a newline", async () => {
  const result = await run([["text", "A:"], ["text", "B:"]], { stdin: "one\r\ntwo" });
  assert.deepEqual(result.results, ["one", "two"]);
  assert.equal(result.stderr, "A: \nB: \n");
});

Deno.test("piped answers: stdin past the answers is left for a child process", async () => {
  const result = await run([["text", "A:"], ["secret", "B:"]], {
    stdin: "a\nb\nleft over\nfor the child\n",
    rest: true,
  });
  assert.deepEqual(result.results, ["a", "b"]);
  assert.equal(result.rest, "left over\nfor the child\n");
});

Deno.test("choose re-asks on a bad answer, then gives up after three more tries", async () => {
  const recovered = await run([["choose", "Pick one:", FACTORS]], { stdin: "x\n0\n3\n2\n" });
  assert.deepEqual(recovered.results, [1]);
  assert.match(recovered.stderr, /"x" is not a number from 1 to 2\n/);
  assert.match(recovered.stderr, /"3" is not a number from 1 to 2\n/);
  assert.equal(recovered.stderr.split("Enter a number (1-2): ").length - 1, 4);

  const failed = await run([["choose", "Pick one:", FACTORS]], { stdin: "x\ny\n\n9\n1\n", rest: true });
  assert.deepEqual(failed.results, [{
    error: 'invalid choice "9" for "Pick one": use a number from 1 to 2',
    exitCode: 1,
  }]);
  assert.equal(failed.code, 1);
  assert.equal(failed.rest, "1\n");
  assert.equal(failed.stdout, "");
});

Deno.test("piped answers that run out are an error naming the question and saying what is true", async () => {
  const ops: Op[] = [["text", "Okta username: "], ["secret", "Okta password: "], [
    "choose",
    "Pick one:",
    FACTORS,
  ]];
  const result = await run(ops, { stdin: "alice\n" });
  const hint = "pipe one answer per line for every question";
  assert.deepEqual(result.results, [
    "alice",
    { error: 'no answer for "Okta password": the answers piped to stdin ran out', hint, exitCode: 1 },
    { error: 'no answer for "Pick one": the answers piped to stdin ran out', hint, exitCode: 1 },
  ]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  // Mode tty looks for a terminal first: here (setsid) there is none, and the message says so.
  const tty = await run([["text", "A:"], ["text", "B:"]], { stdin: "a\n", mode: "tty" });
  assert.deepEqual(tty.results[1], {
    error: 'no answer for "B": the answers piped to stdin ran out and there is no terminal',
    hint: "run it in a terminal, or pipe the answers to stdin, one per line",
    exitCode: 1,
  });
});

Deno.test({
  name: "mode tty without a terminal falls back to piped lines",
  ignore: SETSID === undefined,
  fn: async () => {
    const result = await run([["text", "A:"]], { stdin: "piped\n", mode: "tty" });
    assert.deepEqual(result.results, ["piped"]);
    assert.equal(result.stderr, "A: \n");
  },
});

Deno.test("AWS_OKTA_PROMPT overrides the mode and is checked", async () => {
  const forced = await run([["text", "A:"]], {
    stdin: "x\n",
    mode: "tty",
    env: { AWS_OKTA_PROMPT: "stdin" },
  });
  assert.deepEqual(forced.results, ["x"]);
  const bad = await run([["text", "A:"]], { stdin: "x\n", env: { AWS_OKTA_PROMPT: "sometimes" } });
  assert.deepEqual(bad.results, [{
    error: 'invalid value "sometimes" in AWS_OKTA_PROMPT: use one of auto, stdin, tty',
    exitCode: 2,
  }]);
  assert.equal(bad.code, 2);
});

// ---- pseudo-terminal tests ----

async function onPty(
  ops: Op[],
  steps: [string, string][],
): Promise<{ output: string; code: number; results: Result[] }> {
  const out = await Deno.makeTempFile();
  const { output, code } = await runOnPty(
    [Deno.execPath(), "run", "--no-config", "-A", await script(), "auto", JSON.stringify(ops), out],
    steps,
    { env: { ...Deno.env.toObject(), AWS_OKTA_PROMPT: "" } },
  );
  const { results } = JSON.parse(await Deno.readTextFile(out));
  await Deno.remove(out);
  return { output, code, results };
}

Deno.test({
  name: "terminal: a secret is not echoed, and echo is back for the next prompt",
  ignore: PYTHON === undefined,
  fn: async () => {
    const { output, code, results } = await onPty(
      [["secret", "Okta password:"], ["text", "Okta username:"]],
      [["Okta password: ", "s3cr\x7fret\r"], ["Okta username: ", "bob\r"]],
    );
    assert.deepEqual(results, ["s3cret", "bob"]);
    assert.equal(code, 0);
    assert.ok(!output.includes("s3c"), `secret echoed: ${JSON.stringify(output)}`);
    assert.match(output, /Okta username: bob/);
  },
});

Deno.test({
  name: "terminal: Ctrl-C at a secret prompt cancels with exit code 130 and restores echo",
  ignore: PYTHON === undefined,
  fn: async () => {
    const { output, code, results } = await onPty(
      [["secret", "Okta password:"], ["text", "Okta username:"]],
      [["Okta password: ", "abc\x03"], ["Okta username: ", "visible\r"]],
    );
    assert.deepEqual(results, [{ error: "cancelled", exitCode: 130 }, "visible"]);
    assert.equal(code, 130);
    assert.ok(!output.includes("abc"));
    assert.match(output, /Okta username: visible/);
  },
});

Deno.test({
  name: "terminal: choose reads a typed number",
  ignore: PYTHON === undefined,
  fn: async () => {
    const { output, results } = await onPty(
      [["choose", "Select an MFA factor:", FACTORS]],
      [["Enter a number (1-2): ", "2\r"]],
    );
    assert.deepEqual(results, [1]);
    assert.match(output, /\s+1\) OKTA \(push\)\r?\n\s+2\) GOOGLE/);
  },
});

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/**
 * Runs the ops on a pty as the AWS CLI runs credential_process: the installed permission set
 * (-P=aws-okta, which cannot open /dev/tty itself), stdout and stderr captured, stdin from
 * `options.stdin` (piped answers) or /dev/null. Fd 3 holds the terminal open as the parent (a
 * shell, the AWS CLI) would: a pty whose every descriptor is closed reads as ended.
 */
async function onPtyCaptured(
  ops: Op[],
  steps: [string, string][],
  options: { mode: string; stdin?: string },
): Promise<{ output: string; code: number; results: Result[]; stderr: string }> {
  const out = await Deno.makeTempFile();
  const err = await Deno.makeTempFile();
  const input = await Deno.makeTempFile();
  await Deno.writeTextFile(input, options.stdin ?? "");
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const command = [
    Deno.execPath(),
    "run",
    "-q",
    "-P=aws-okta",
    "--config",
    CONFIG,
    await script(),
    options.mode,
    JSON.stringify(ops),
    out,
  ].map(quote).join(" ");
  const stdin = options.stdin === undefined ? "/dev/null" : `${quote(input)}`;
  const { output, code } = await runOnPty(
    ["/bin/sh", "-c", `exec ${command} 3<&0 <${stdin} >/dev/null 2>${quote(err)}`],
    steps,
    { env: { ...Deno.env.toObject(), AWS_OKTA_PROMPT: "" } },
  );
  const { results } = JSON.parse(await Deno.readTextFile(out));
  const stderr = await Deno.readTextFile(err);
  for (const path of [out, err, input]) await Deno.remove(path);
  return { output, code, results, stderr };
}

Deno.test({
  name: "captured stdio (credential_process): progress, prompts and answers use the controlling terminal",
  ignore: PYTHON === undefined,
  fn: async () => {
    const { output, results, stderr } = await onPtyCaptured(
      [
        ["say", "Push sent: tap 42 on your phone"],
        ["secret", "Okta password:"],
        ["choose", "Select an MFA factor:", FACTORS],
        ["text", "Enter the code:"],
      ],
      [["Okta password: ", "s3cr\x7fret\r"], ["Enter a number (1-2): ", "2\r"], [
        "Enter the code: ",
        "123456\r",
      ]],
      { mode: "tty" },
    );
    assert.deepEqual(results, [null, "s3cret", 1, "123456"]);
    assert.match(output, /Push sent: tap 42 on your phone/);
    assert.match(output, /2\) GOOGLE \(token:software:totp\)/);
    assert.match(output, /Enter the code: 123456/, "a visible answer is echoed");
    assert.ok(!output.includes("s3c"), `secret echoed: ${JSON.stringify(output)}`);
    assert.equal(stderr, "", "nothing on the captured stderr");
  },
});

Deno.test({
  name: "captured stdio: Ctrl-C at a secret prompt cancels (130) and the terminal echoes again",
  ignore: PYTHON === undefined,
  fn: async () => {
    const { output, code, results } = await onPtyCaptured(
      [["secret", "Okta password:"], ["text", "Okta username:"]],
      [["Okta password: ", "abc\x03"], ["Okta username: ", "visible\r"]],
      { mode: "tty" },
    );
    assert.deepEqual(results, [{ error: "cancelled", exitCode: 130 }, "visible"]);
    assert.equal(code, 130);
    assert.ok(!output.includes("abc"));
    assert.match(output, /Okta username: visible/, "echo is back");
  },
});

Deno.test({
  name: "captured stdio, mode auto: piped answers are read from stdin; progress still reaches the terminal",
  ignore: PYTHON === undefined,
  fn: async () => {
    const { output, results, stderr } = await onPtyCaptured(
      [["say", "Waiting for the push"], ["text", "A:"]],
      [],
      { mode: "auto", stdin: "piped answer\n" },
    );
    assert.deepEqual(results, [null, "piped answer"]);
    assert.match(output, /Waiting for the push/);
    assert.equal(stderr, "A: \n");
  },
});
