import assert from "node:assert/strict";
import { oktaRateLimitFault, proxyErrorFault, stsThrottlingFault } from "./faults.ts";
import { issueSamlResponse } from "./saml.ts";
import { issueCredentials } from "./sts_credentials.ts";
import { postJson, testUser, withSim } from "./testing.ts";

const LOGIN = { username: "bob@example.com", password: "hunter2" };

Deno.test("faults: a rate-limit fault answers 429 E0000047 with X-Rate-Limit headers, then normal handling", async () => {
  await withSim({ users: [testUser()], faults: [oktaRateLimitFault("POST /api/v1/authn")] }, async (sim) => {
    const limited = await postJson(`${sim.url}/api/v1/authn`, LOGIN);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.errorCode, "E0000047");
    assert.equal(limited.headers.get("x-rate-limit-remaining"), "0");
    assert.match(limited.headers.get("x-rate-limit-reset")!, /^\d{10}$/);
    const ok = await postJson(`${sim.url}/api/v1/authn`, LOGIN);
    assert.equal(ok.body.status, "SUCCESS");
    assert.equal(sim.count("POST /api/v1/authn"), 2);
    assert.equal(sim.state.faults.length, 0);
  });
});

Deno.test("faults: HTML proxy page with times=2 on the app link; other routes untouched", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    sim.state.faults.push(proxyErrorFault("GET /home/amazon_aws/:app/:n", 502, 2));
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${sim.url}/home/amazon_aws/0oaTESTapp000001/272`, { redirect: "manual" });
      assert.equal(r.status, 502);
      assert.match(r.headers.get("content-type")!, /text\/html/);
      assert.match(await r.text(), /Bad Gateway/);
    }
    const third = await fetch(`${sim.url}/home/amazon_aws/0oaTESTapp000001/272`, { redirect: "manual" });
    assert.equal(third.status, 302);
    await third.body?.cancel();
    assert.equal((await postJson(`${sim.url}/api/v1/authn`, LOGIN)).status, 200);
  });
});

Deno.test("faults: a fault without times applies to every matching request; custom body and headers", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    sim.state.faults.push({
      match: "POST /api/v1/authn",
      status: 503,
      body: "down",
      headers: { "retry-after": "1" },
    });
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${sim.url}/api/v1/authn`, { method: "POST", body: "{}" });
      assert.equal(r.status, 503);
      assert.equal(r.headers.get("retry-after"), "1");
      assert.equal(await r.text(), "down");
    }
    assert.equal(sim.state.faults.length, 1);
  });
});

Deno.test("faults: STS Throttling is retried by the AWS SDK", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    sim.state.faults.push(stsThrottlingFault("sts:GetCallerIdentity"));
    const direct = await fetch(`${sim.stsUrl}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    assert.equal(direct.status, 400);
    const text = await direct.text();
    assert.match(text, /<Code>Throttling<\/Code>/);
    assert.match(text, /<Message>Rate exceeded<\/Message>/);
    assert.equal(sim.count("sts:GetCallerIdentity"), 1);

    // The SDK treats Throttling as retryable: one throttled attempt, then success.
    const user = sim.state.users[0]!;
    const app = user.apps[0]!;
    const saml = await fetch(`${sim.stsUrl}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        Action: "AssumeRoleWithSAML",
        Version: "2011-06-15",
        RoleArn: app.roles[0]!.roleArn,
        PrincipalArn: app.roles[0]!.principalArn,
        SAMLAssertion: issueSamlResponse(sim.state, user, app, { mfa: false }).base64,
      }).toString(),
    }).then((r) => r.text());
    const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(saml)![1]!;
    sim.state.faults.push(stsThrottlingFault("sts:GetCallerIdentity"));
    const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const client = new STSClient({
      endpoint: sim.stsUrl,
      region: "us-east-1",
      credentials: {
        accessKeyId: field("AccessKeyId"),
        secretAccessKey: field("SecretAccessKey"),
        sessionToken: field("SessionToken"),
      },
    });
    try {
      const me = await client.send(new GetCallerIdentityCommand({}));
      assert.equal(me.Account, "123456789012");
    } finally {
      client.destroy();
    }
    assert.equal(sim.count("sts:GetCallerIdentity"), 3);
  });
});

Deno.test("faults: delay-only faults and the global delay still answer normally", async () => {
  await withSim({ users: [testUser()], delayMs: 5 }, async (sim) => {
    sim.state.faults.push({ match: "POST /api/v1/authn", times: 1, delayMs: 20 });
    const r = await postJson(`${sim.url}/api/v1/authn`, LOGIN);
    assert.equal(r.body.status, "SUCCESS");
    assert.equal(sim.state.faults.length, 0);
  });
});

Deno.test("control API: counts, faults, clock and reset over HTTP; /__sim/ is neither counted nor faulted", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    await postJson(`${sim.url}/api/v1/authn`, LOGIN);
    const counts = await (await fetch(`${sim.url}/__sim/counts`)).json();
    assert.deepEqual(counts, { "POST /api/v1/authn": 1 });

    const added = await postJson(`${sim.url}/__sim/faults`, {
      match: "POST /api/v1/authn",
      times: 1,
      status: 500,
    });
    assert.deepEqual(added.body, { faults: 1 });
    assert.equal((await postJson(`${sim.url}/__sim/faults`, { nope: 1 })).status, 400);
    const failing = await fetch(`${sim.url}/api/v1/authn`, { method: "POST", body: "{}" });
    assert.equal(failing.status, 500);
    await failing.body?.cancel();

    const clock = await postJson(`${sim.url}/__sim/clock`, { advanceMs: 1000 });
    assert.deepEqual(clock.body, { clockOffsetMs: 1000 });

    await postJson(`${sim.url}/__sim/reset`, {});
    assert.deepEqual(sim.counts(), {});
    assert.equal(sim.state.requests.length, 0);
    const unknown = await fetch(`${sim.url}/__sim/nothing`);
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    assert.deepEqual(sim.counts(), {});
  });
});

Deno.test("records: each request keeps its key, status, query names and cookie names but no values", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    await fetch(`${sim.url}/home/amazon_aws/0oaTESTapp000001/272?onetimetoken=secret`, {
      headers: { cookie: "DT=abc; sid=xyz" },
      redirect: "manual",
    }).then((r) => r.body?.cancel());
    const [record] = sim.state.requests;
    assert.deepEqual(record, {
      key: "GET /home/amazon_aws/:app/:n",
      method: "GET",
      path: "/home/amazon_aws/0oaTESTapp000001/272",
      queryKeys: ["onetimetoken"],
      cookieNames: ["DT", "sid"],
      userAgent: `Deno/${Deno.version.deno}`,
      status: 302,
    });
    assert.equal(JSON.stringify(sim.state.requests).includes("secret"), false);
  });
});

Deno.test("unknown paths: API → 404 E0000007 JSON, pages → 404 HTML; counted by path", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const api = await fetch(`${sim.url}/api/v1/nothing`);
    assert.equal(api.status, 404);
    assert.equal((await api.json()).errorCode, "E0000007");
    const page = await fetch(`${sim.url}/nothing`);
    assert.equal(page.status, 404);
    assert.match(await page.text(), /<html/);
    assert.equal(sim.count("GET /api/v1/nothing"), 1);
  });
});

Deno.test("control API: revoked STS credentials answer InvalidClientTokenId, expired ones ExpiredToken", async () => {
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  await withSim({ users: [testUser()] }, async (sim) => {
    const issue = (roleArn: string) => {
      const c = issueCredentials(sim.state, {
        action: "AssumeRole",
        roleArn,
        roleSessionName: "s",
        durationSeconds: 3600,
      });
      return new STSClient({
        region: "us-east-1",
        endpoint: sim.stsUrl,
        credentials: {
          accessKeyId: c.accessKeyId,
          secretAccessKey: c.secretAccessKey,
          sessionToken: c.sessionToken,
        },
      });
    };
    const code = (client: InstanceType<typeof STSClient>) =>
      client.send(new GetCallerIdentityCommand({})).then(() => "ok", (e) => String(e.name));
    const [a, b, c] = [
      issue("arn:aws:iam::1:role/A"),
      issue("arn:aws:iam::1:role/B"),
      issue("arn:aws:iam::1:role/C"),
    ];
    assert.equal(await code(a), "ok");
    const revoked = await postJson(`${sim.url}/__sim/credentials/revoke`, {
      roleArn: "arn:aws:iam::1:role/A",
    });
    assert.deepEqual(revoked.body, { revoked: 1 });
    assert.equal(await code(a), "InvalidClientTokenId");
    assert.equal(await code(b), "ok");
    assert.equal(sim.endCredentials("expire", (x) => x.roleArn.endsWith("/B")), 1);
    assert.equal(await code(b), "ExpiredToken");
    assert.equal(await code(c), "ok");
    assert.equal((await postJson(`${sim.url}/__sim/credentials/forget`, {})).status, 400);
    for (const client of [a, b, c]) client.destroy();
  });
});
