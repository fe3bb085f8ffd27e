/**
 * End to end: `exec --server` with the AWS CLI as the long-running child. The simulator issues
 * credentials that expire after a few seconds; the child calls STS, waits past the expiry and
 * calls again, and the CLI gets fresh credentials from the endpoint (through the cache, the lock
 * and a new SAML login that reuses the Okta session). A wrong token gets 403.
 */

import assert from "node:assert/strict";
import { createDevWorld, createWorld, expectCode, samlUrlOf } from "./harness.ts";

/** How long the simulator's credentials last: short, so the test can outlive them. */
const CREDENTIAL_SECONDS = 8;

const CHILD = `set -u
dir="$1"
printf '%s\\n%s\\n%s\\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" \\
  "\${AWS_ACCESS_KEY_ID-unset}" > "$dir/info.tmp"
mv "$dir/info.tmp" "$dir/info"
while [ ! -e "$dir/go" ]; do sleep 0.1; done
aws sts get-caller-identity --region us-east-1 > "$dir/first.json" || exit 11
AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong aws sts get-caller-identity --region us-east-1 \\
  > /dev/null 2> "$dir/wrong.err" && exit 12
sleep ${CREDENTIAL_SECONDS + 2}
aws sts get-caller-identity --region us-east-1 > "$dir/second.json" || exit 13
exit 7
`;

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("exec --server: the AWS CLI in the child reads credentials from the endpoint across an expiry", async () => {
  const world = await createDevWorld("region = us-west-2\n");
  try {
    world.sim.state.users[0]!.apps[0]!.sessionNotOnOrAfterSeconds = CREDENTIAL_SECONDS;
    const dir = `${world.home}/child`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/child.sh`, CHILD);

    const running = world.run(["exec", "--server", "dev", "--", "bash", `${dir}/child.sh`, dir], {
      env: {
        // Sessions with less than 3 s left are renewed.
        AWS_OKTA_MIN_TTL: "3s",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ACCESS_KEY_ID: "AKIASTALEEXAMPLE",
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/stale",
      },
    });
    let finished = false;
    running.finally(() => finished = true);
    while (!finished && !(await exists(`${dir}/info`))) await new Promise((r) => setTimeout(r, 50));
    if (finished) expectCode(await running, 7);
    const [url, token, staticKey] = (await Deno.readTextFile(`${dir}/info`)).split("\n");
    assert.match(url!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(token!.length >= 40);
    assert.equal(staticKey, "unset", "no fixed keys in the child's environment");

    for (const headers of [{}, { authorization: "wrong" }, { authorization: `${token}x` }]) {
      const refused = await fetch(url!, { headers });
      assert.equal(refused.status, 403);
      await refused.body?.cancel();
    }
    const served = await fetch(url!, { headers: { authorization: token! } });
    assert.equal(served.status, 200);
    const document = await served.json();
    const issued = world.sim.state.credentials.get(document.AccessKeyId);
    assert.ok(issued, "credentials the simulator issued");
    assert.equal(document.Token, issued.sessionToken);
    assert.equal(document.Expiration, new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"));

    await Deno.writeTextFile(`${dir}/go`, "");
    const result = await running;
    expectCode(result, 7);
    const arn = "arn:aws:sts::123456789012:assumed-role/Engineer/alice@example.com";
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/first.json`)).Arn, arn);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/second.json`)).Arn, arn);
    assert.match(
      await Deno.readTextFile(`${dir}/wrong.err`),
      /non 200 response 403 from container metadata/,
      "the AWS CLI with a wrong token is refused",
    );

    // The second call needed new credentials: the first ones had expired at STS by then.
    const saml = [...world.sim.state.credentials.values()].filter((c) => c.action === "AssumeRoleWithSAML");
    assert.ok(saml.length >= 2, `one login at start, another after the expiry (got ${saml.length})`);
    assert.ok(saml[0]!.expiresAt < Date.now());
    assert.equal(world.sim.count("sts:GetCallerIdentity"), 2);
    assert.equal(world.sim.count("push:sent"), 1, "only add's MFA push: the Okta session was reused");
  } finally {
    await world.close();
  }
});

Deno.test("exec --server: bad input is one line and a non-zero exit", async () => {
  const world = await createWorld();
  try {
    await world.writeConfig(`[okta]\naws_saml_url = ${samlUrlOf(world.sim)}\n`);
    for (
      const [args, code, message] of [
        [["exec", "--server", "nope", "--", "true"], 1, /profile "nope" not found/],
        [["exec", "--server", "nope"], 2, /missing argument <command> after "--"/],
        [["exec", "--server", "nope", "--", "no-such-program-xyz"], 127, /no-such-program-xyz/],
      ] as const
    ) {
      const result = await world.run(args);
      expectCode(result, code);
      assert.equal(
        result.stderr.split("\n").filter((l) => l.startsWith("aws-okta:")).length,
        1,
        result.stderr,
      );
      assert.match(result.stderr, message);
    }
  } finally {
    await world.close();
  }
});

const NO_PROMPT_CHILD = `dir="$1"
printf '%s\\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" > "$dir/info.tmp" && mv "$dir/info.tmp" "$dir/info"
while [ ! -e "$dir/go" ]; do sleep 0.1; done
aws sts get-caller-identity --region us-east-1 > /dev/null 2> "$dir/aws.err" && exit 12
cat > "$dir/stdin"
exit 7
`;

Deno.test("exec --server: a refresh that needs MFA never prompts or pushes; the SDK reports why", async () => {
  const world = await createDevWorld();
  try {
    world.sim.state.users[0]!.apps[0]!.sessionNotOnOrAfterSeconds = CREDENTIAL_SECONDS;
    const dir = `${world.home}/child`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/child.sh`, NO_PROMPT_CHILD);

    const running = world.run(["exec", "--server", "dev", "--", "sh", `${dir}/child.sh`, dir], {
      // The first credentials are stale for the endpoint after a second: every SDK call refreshes.
      env: { AWS_OKTA_MIN_TTL: `${CREDENTIAL_SECONDS - 1}s`, AWS_EC2_METADATA_DISABLED: "true" },
      stdin: "meant for the child\n",
    });
    let finished = false;
    running.finally(() => finished = true);
    while (!finished && !(await exists(`${dir}/info`))) await new Promise((r) => setTimeout(r, 50));
    // Okta forgets the session and the device (and the counts): a new sign-in would need MFA, an
    // auto-approved push.
    world.sim.reset();
    world.sim.state.devices.clear();
    await new Promise((r) => setTimeout(r, 1500));
    await Deno.writeTextFile(`${dir}/go`, "");
    const result = await running;

    expectCode(result, 7);
    assert.equal(world.sim.count("push:sent"), 0, "no push while the child runs");
    assert.equal(await Deno.readTextFile(`${dir}/stdin`), "meant for the child\n", "stdin left to the child");
    const sdkError = await Deno.readTextFile(`${dir}/aws.err`);
    assert.match(sdkError, /a new Okta sign-in needs MFA, which is not asked for while the command runs/);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    assert.deepEqual(lines, [
      'aws-okta: credential server: a new Okta sign-in needs MFA, which is not asked for while the command runs; run "aws-okta login dev" in a terminal, or "aws-okta exec --server" again',
    ]);
  } finally {
    await world.close();
  }
});
