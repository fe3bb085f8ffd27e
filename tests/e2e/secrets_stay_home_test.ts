/**
 * Secrets stay home: what `exec` and `exec --server` children inherit, run through the installed
 * launcher (`make install`), which sets its own DENO_DIR and DENO_NO_UPDATE_CHECK.
 */

import assert from "node:assert/strict";
import { createDevWorld, expectCode } from "./harness.ts";
import { runInstalled } from "./installed.ts";

/** The child's environment, as `env -0` printed it. */
function parseEnv(stdout: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of stdout.split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0) vars.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return vars;
}

for (const server of [false, true]) {
  const command = server ? "exec --server" : "exec";
  Deno.test(`${command}: the child gets no secret input and the user's own Deno variables`, async () => {
    const world = await createDevWorld();
    try {
      const userDenoDir = `${world.home}/my-deno-cache`;
      const result = await runInstalled(world, [...command.split(" "), "dev", "--", "env", "-0"], {
        OKTA_AWSCLI_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nnot a real key\n-----END PRIVATE KEY-----",
        DENO_DIR: userDenoDir,
        DENO_NO_UPDATE_CHECK: undefined,
      });
      expectCode(result, 0);
      const vars = parseEnv(result.stdout);
      assert.ok(vars.has("AWS_CONTAINER_CREDENTIALS_FULL_URI") === server, "the child ran under aws-okta");
      for (const name of ["AWS_OKTA_FILE_PASSPHRASE", "OKTA_AWSCLI_PRIVATE_KEY"]) {
        assert.ok(!vars.has(name), `${name} reached the child`);
      }
      assert.equal(vars.get("DENO_DIR"), userDenoDir, "the user's DENO_DIR");
      assert.ok(!vars.has("DENO_NO_UPDATE_CHECK"), "the launcher's DENO_NO_UPDATE_CHECK reached the child");
      assert.deepEqual([...vars.keys()].filter((name) => name.startsWith("AWS_OKTA_USER_")), []);
      assert.ok(!vars.has("AWS_OKTA_LAUNCHER"));
    } finally {
      await world.close();
    }
  });
}
