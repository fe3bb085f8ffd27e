import assert from "node:assert/strict";
import { federationState } from "./federation.ts";
import type { Simulator } from "./simulator.ts";
import { issueCredentials } from "./sts_credentials.ts";
import { withSim } from "./testing.ts";

const ROLE = "arn:aws:iam::123456789012:role/Engineer";

function issue(sim: Simulator, action: "AssumeRoleWithSAML" | "AssumeRole" = "AssumeRoleWithSAML") {
  return issueCredentials(sim.state, {
    action,
    roleArn: ROLE,
    roleSessionName: "alice",
    durationSeconds: 3600,
  });
}

function session(c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }): string {
  return JSON.stringify({
    sessionId: c.accessKeyId,
    sessionKey: c.secretAccessKey,
    sessionToken: c.sessionToken,
  });
}

async function signinToken(sim: Simulator, form: Record<string, string>): Promise<Response> {
  return await fetch(`${sim.url}/federation`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Action: "getSigninToken", ...form }),
  });
}

Deno.test("federation: a token for issued credentials, then one login redirect to the Destination", async () => {
  await withSim({}, async (sim) => {
    const creds = issue(sim);
    const response = await signinToken(sim, { Session: session(creds), SessionDuration: "3600" });
    assert.equal(response.status, 200);
    const { SigninToken } = await response.json();
    assert.equal(typeof SigninToken, "string");

    const destination = "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2";
    const url = new URL(`${sim.url}/federation`);
    url.search = new URLSearchParams({
      Action: "login",
      Issuer: "https://okta",
      Destination: destination,
      SigninToken,
    })
      .toString();
    const login = await fetch(url, { redirect: "manual" });
    await login.body?.cancel();
    assert.equal(login.status, 302);
    assert.equal(login.headers.get("location"), destination);
    assert.deepEqual(federationState(sim.state).logins, [
      { accessKeyId: creds.accessKeyId, destination, issuer: "https://okta", sessionDuration: 3600 },
    ]);
    const again = await fetch(url, { redirect: "manual" });
    await again.body?.cancel();
    assert.equal(again.status, 400, "a sign-in token works once");
  });
});

Deno.test("federation: refusals (bad credentials, expiry, SessionDuration rules, stale tokens)", async () => {
  await withSim({}, async (sim) => {
    const creds = issue(sim);
    const chained = issue(sim, "AssumeRole");
    const cases: [Record<string, string>, number][] = [
      [{ Session: "not json" }, 400],
      [{ Session: session({ ...creds, secretAccessKey: "wrong" }) }, 400],
      [{ Session: session(creds), SessionDuration: "899" }, 400],
      [{ Session: session(creds), SessionDuration: "43201" }, 400],
      [{ Session: session(chained), SessionDuration: "3600" }, 400],
      [{ Session: session(chained) }, 200],
      [{ Session: session(creds), SessionDuration: "43200" }, 200],
    ];
    for (const [form, status] of cases) {
      const response = await signinToken(sim, form);
      await response.body?.cancel();
      assert.equal(response.status, status, JSON.stringify(form));
    }
    assert.ok(federationState(sim.state).refusals.includes("SessionDuration with chained credentials"));

    const { SigninToken } = await (await signinToken(sim, { Session: session(creds) })).json();
    sim.advanceClock(16 * 60_000);
    const stale = await fetch(
      `${sim.url}/federation?Action=login&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F&SigninToken=${SigninToken}`,
      { redirect: "manual" },
    );
    await stale.body?.cancel();
    assert.equal(stale.status, 400);

    sim.advanceClock(60 * 60_000);
    const expired = await signinToken(sim, { Session: session(creds) });
    await expired.body?.cancel();
    assert.equal(expired.status, 400);
    assert.equal(federationState(sim.state).refusals.at(-1), "expired credentials");
  });
});
