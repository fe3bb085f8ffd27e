import assert from "node:assert/strict";
import { TextLineStream } from "./testing.ts";

Deno.test("main.ts: prints {url, stsUrl} on stdout, serves the demo user, stops on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=test", new URL("./main.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream());
  const stderrText = (async () => {
    let text = "";
    for await (const line of stderr) text += line + "\n";
    return text;
  })();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream());
  const reader = lines.getReader();
  try {
    const first = await reader.read();
    assert.ok(!first.done, "main.ts printed nothing on stdout");
    const { url, stsUrl } = JSON.parse(first.value);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(stsUrl, url);
    const r = await fetch(`${url}/api/v1/authn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice@example.com", password: "correct horse" }),
    });
    assert.equal((await r.json()).status, "MFA_REQUIRED");
  } finally {
    child.kill("SIGTERM");
  }
  const rest = await reader.read();
  assert.ok(rest.done, "nothing else on stdout");
  const status = await child.status;
  assert.equal(status.code, 0);
  const err = await stderrText;
  assert.match(err, /alice@example\.com \/ correct horse/);
});

Deno.test("main.ts: a bad argument exits 2 with a message", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-P=test", new URL("./main.ts", import.meta.url).pathname, "--port", "banana"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /invalid port "banana"/);
  assert.equal(out.stdout.length, 0);
});
