/**
 * AWS_OKTA_REQUIRE_PEERS=1 (as CI sets it) turns every missing outside program into a failing test
 * that names it; without it, the tests that need the program are skipped with a warning.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Runs `deno test` on `files` with an empty PATH, so that no outside program is found. */
async function testWithoutPrograms(files: string[], required: boolean) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-P=test", "--no-check", ...files],
    cwd: ROOT,
    env: {
      PATH: "/nonexistent",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ...(required ? { AWS_OKTA_REQUIRE_PEERS: "1" } : {}),
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, text: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
}

Deno.test({
  name: "missing peers: skipped with a warning, or with AWS_OKTA_REQUIRE_PEERS=1 failing tests naming each",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const files = [
      "src/keyring/pass/pass_test.ts",
      "tests/e2e/peers_test.ts",
      "src/dbus/connection_test.ts",
    ];
    const optional = await testWithoutPrograms(files, false);
    assert.equal(optional.code, 0, optional.text);
    for (const name of ["pass", "gpg", "moto_server", "aws", "dbus-daemon"]) {
      assert.match(optional.text, new RegExp(`warning: ${name} not found; skipping the tests that need it`));
    }
    assert.match(optional.text, /ignored/);

    const required = await testWithoutPrograms(files, true);
    assert.notEqual(required.code, 0, required.text);
    for (
      const [name, install] of [
        ["pass", "apt-get install pass"],
        ["gpg", "apt-get install gnupg"],
        [
          "moto_server",
          "pip install 'moto\\[server\\]'",
        ],
        ["aws", "pip install awscli"],
        ["dbus-daemon", "apt-get install dbus-daemon"],
      ]
    ) {
      assert.match(
        required.text,
        new RegExp(`peer "${name}" is installed \\(AWS_OKTA_REQUIRE_PEERS=1\\) \\.\\.\\. FAILED`),
      );
      assert.match(
        required.text,
        new RegExp(`${name} is required by the tests .* but was not found: ${install}`),
      );
    }
  },
});
