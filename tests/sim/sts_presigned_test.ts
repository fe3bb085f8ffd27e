import assert from "node:assert/strict";
import { amzDate, canonicalRequest, credentialScope, rfc3986, sha256Hex, signature } from "./sigv4.ts";
import type { Simulator } from "./simulator.ts";
import { issueCredentials } from "./sts_credentials.ts";
import { withSim } from "./testing.ts";

const ROLE = "arn:aws:iam::123456789012:role/Engineer";

/** Presigns GetCallerIdentity with the simulator's own SigV4 helpers (as a client would). */
async function presign(
  sim: Simulator,
  c: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  options: { date?: Date; cluster?: string; action?: string; version?: string; service?: string } = {},
): Promise<URL> {
  const service = options.service ?? "sts";
  const when = amzDate(options.date ?? new Date());
  const url = new URL(`${sim.stsUrl}/`);
  const signed = options.cluster === undefined ? ["host"] : ["host", "x-k8s-aws-id"];
  const params: [string, string][] = [
    ["Action", options.action ?? "GetCallerIdentity"],
    ["Version", options.version ?? "2011-06-15"],
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${c.accessKeyId}/${credentialScope(when.slice(0, 8), "us-east-1", service)}`],
    ["X-Amz-Date", when],
    ["X-Amz-Expires", "60"],
    ["X-Amz-SignedHeaders", signed.join(";")],
    ["X-Amz-Security-Token", c.sessionToken],
  ];
  const search = params.map(([n, v]) => `${rfc3986(n)}=${rfc3986(v)}`).join("&");
  const headers = new Headers({ host: url.host });
  if (options.cluster !== undefined) headers.set("x-k8s-aws-id", options.cluster);
  const canonical = canonicalRequest({
    method: "GET",
    pathname: "/",
    search,
    headers,
    signedHeaders: signed,
    payloadHash: await sha256Hex(""),
  });
  const sig = await signature(
    c.secretAccessKey,
    when,
    { date: when.slice(0, 8), region: "us-east-1", service },
    canonical,
  );
  url.search = `${search}&X-Amz-Signature=${sig}`;
  return url;
}

async function call(url: URL, cluster?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: cluster === undefined ? {} : { "x-k8s-aws-id": cluster } });
  return { status: response.status, text: await response.text() };
}

Deno.test("sts: a presigned GetCallerIdentity answers with the signer's identity", async () => {
  await withSim({}, async (sim) => {
    const c = issueCredentials(sim.state, {
      action: "AssumeRoleWithSAML",
      roleArn: ROLE,
      roleSessionName: "alice",
      durationSeconds: 3600,
    });
    const url = await presign(sim, c, { cluster: "prod" });
    const ok = await call(url, "prod");
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /<Arn>arn:aws:sts::123456789012:assumed-role\/Engineer\/alice<\/Arn>/);

    // The signed header must be sent, and with the signed value.
    assert.equal((await call(url)).status, 403);
    assert.equal((await call(url, "other")).status, 403);
    // A tampered query fails the signature.
    const tampered = new URL(url.href.replace("X-Amz-Expires=60", "X-Amz-Expires=61"));
    assert.equal((await call(tampered, "prod")).status, 403);
    // Older than 15 minutes.
    const old = await presign(sim, c, { cluster: "prod", date: new Date(Date.now() - 16 * 60_000) });
    assert.match((await call(old, "prod")).text, /Request has expired/);
    // Expired credentials.
    sim.advanceClock(2 * 3600_000);
    assert.match((await call(url, "prod")).text, /ExpiredToken/);
  });
});

Deno.test("sts: header-signed GetCallerIdentity still works beside presigned URLs", async () => {
  await withSim({}, async (sim) => {
    const response = await fetch(`${sim.stsUrl}/?Action=GetCallerIdentity&Version=2011-06-15`);
    const text = await response.text();
    assert.equal(response.status, 403);
    assert.match(text, /MissingAuthenticationToken/);
  });
});

Deno.test("sim IAM: ListAccountAliases, presigned for iam, answers the caller account's alias", async () => {
  await withSim({ accountAliases: { "123456789012": "acme-prod" } }, async (sim) => {
    const c = issueCredentials(sim.state, {
      action: "AssumeRoleWithSAML",
      roleArn: ROLE,
      roleSessionName: "alice",
      durationSeconds: 3600,
    });
    const iam = { action: "ListAccountAliases", version: "2010-05-08", service: "iam" };
    const ok = await call(await presign(sim, c, iam));
    assert.equal(ok.status, 200, ok.text);
    assert.match(ok.text, /<AccountAliases>\s*<member>acme-prod<\/member>\s*<\/AccountAliases>/);
    assert.equal(sim.count("iam:ListAccountAliases"), 1);
    // Scoped to sts: refused; no alias: an empty list; a role IAM refuses: AccessDenied.
    assert.equal((await call(await presign(sim, c, { ...iam, service: "sts" }))).status, 400);
    sim.state.accountAliases = {};
    assert.match((await call(await presign(sim, c, iam))).text, /<AccountAliases><\/AccountAliases>/);
    sim.state.roles[ROLE] = { denyIam: true };
    const denied = await call(await presign(sim, c, iam));
    assert.equal(denied.status, 403);
    assert.match(denied.text, /<Code>AccessDenied<\/Code>/);
  });
});
