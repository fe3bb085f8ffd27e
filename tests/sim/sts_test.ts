import assert from "node:assert/strict";
import { issueSamlResponse } from "./saml.ts";
import { signRequest } from "./sigv4.ts";
import type { Simulator } from "./simulator.ts";
import type { SimApp } from "./state.ts";
import { openApp, samlFromPage, testApp, testUser, withSim } from "./testing.ts";

const ROLE = "arn:aws:iam::123456789012:role/Engineer";
const PROVIDER = "arn:aws:iam::123456789012:saml-provider/Okta";
const TARGET = "arn:aws:iam::333333333333:role/CrossAccountAdmin";

interface StsAnswer {
  status: number;
  text: string;
  headers: Headers;
}

/** Text of the first element with that name. */
function xml(text: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
}

function form(params: Record<string, string>): string {
  return new URLSearchParams({ Version: "2011-06-15", ...params }).toString();
}

async function sts(
  sim: Simulator,
  params: Record<string, string>,
  headers: HeadersInit = {},
): Promise<StsAnswer> {
  const h = new Headers(headers);
  h.set("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  const res = await fetch(`${sim.stsUrl}/`, { method: "POST", headers: h, body: form(params) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A fresh assertion for the (first) user and app, as base64. */
function assertion(sim: Simulator, app?: SimApp): string {
  const user = sim.state.users[0]!;
  return issueSamlResponse(sim.state, user, app ?? user.apps[0]!, { mfa: false }).base64;
}

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

async function samlCreds(sim: Simulator): Promise<Creds> {
  const r = await sts(sim, {
    Action: "AssumeRoleWithSAML",
    RoleArn: ROLE,
    PrincipalArn: PROVIDER,
    SAMLAssertion: assertion(sim),
  });
  assert.equal(r.status, 200, r.text);
  return {
    accessKeyId: xml(r.text, "AccessKeyId")!,
    secretAccessKey: xml(r.text, "SecretAccessKey")!,
    sessionToken: xml(r.text, "SessionToken")!,
  };
}

/** A signed STS POST (our signer; the SDK tests below cover an independent one). */
async function signed(
  sim: Simulator,
  creds: Creds,
  params: Record<string, string>,
  tamper: (headers: Headers, body: string) => string = (_h, b) => b,
  date?: Date,
): Promise<StsAnswer> {
  const body = form(params);
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded; charset=utf-8" });
  await signRequest({
    method: "POST",
    url: `${sim.stsUrl}/`,
    headers,
    body,
    ...creds,
    region: "us-east-1",
    service: "sts",
    ...(date ? { date } : {}),
  });
  headers.delete("host");
  const sent = tamper(headers, body);
  const res = await fetch(`${sim.stsUrl}/`, { method: "POST", headers, body: sent });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function assertError(r: StsAnswer, status: number, code: string, message?: string | RegExp) {
  assert.equal(r.status, status, r.text);
  assert.equal(xml(r.text, "Code"), code);
  assert.equal(xml(r.text, "Type"), status >= 500 ? "Receiver" : "Sender");
  assert.ok(r.text.startsWith(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`));
  assert.match(xml(r.text, "RequestId")!, /^[0-9a-f-]{36}$/);
  assert.equal(r.headers.get("x-amzn-requestid"), xml(r.text, "RequestId"));
  if (typeof message === "string") assert.equal(xml(r.text, "Message"), message);
  else if (message) assert.match(xml(r.text, "Message")!, message);
}

async function sha1Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

Deno.test("AssumeRoleWithSAML: credentials and every result field from an assertion taken off the app page", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const { page } = await openApp(sim, sim.state.users[0]!);
    const { base64 } = samlFromPage(page.text)!;
    const r = await sts(sim, {
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: base64,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get("content-type"), "text/xml");
    assert.match(r.headers.get("x-amzn-requestid")!, /^[0-9a-f-]{36}$/);
    assert.ok(
      r.text.startsWith(`<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`),
    );
    assert.match(xml(r.text, "AccessKeyId")!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(xml(r.text, "SecretAccessKey")!.length, 40);
    assert.ok(xml(r.text, "SessionToken")!.length > 300);
    const expiration = xml(r.text, "Expiration")!;
    assert.match(expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(xml(r.text, "Arn"), "arn:aws:sts::123456789012:assumed-role/Engineer/bob@example.com");
    assert.match(xml(r.text, "AssumedRoleId")!, /^AROA[A-Z2-7]{17}:bob@example\.com$/);
    assert.equal(xml(r.text, "Audience"), "https://signin.aws.amazon.com/saml");
    assert.equal(xml(r.text, "Issuer"), "http://www.okta.com/exkTESTapp000001");
    assert.equal(xml(r.text, "Subject"), "bob@example.com");
    assert.equal(xml(r.text, "SubjectType"), "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    assert.equal(
      xml(r.text, "NameQualifier"),
      await sha1Base64("http://www.okta.com/exkTESTapp000001123456789012/Okta"),
    );

    const record = sim.state.credentials.get(xml(r.text, "AccessKeyId")!)!;
    assert.equal(record.action, "AssumeRoleWithSAML");
    assert.equal(record.subject, "bob@example.com");
    assert.equal(record.expiresAt - record.issuedAt, 3600_000);
    assert.equal(new Date(expiration).getTime(), record.expiresAt);
    assert.equal(sim.count("sts:AssumeRoleWithSAML"), 1);
  });
});

Deno.test("AssumeRoleWithSAML: GET query form, DurationSeconds and either role order", async () => {
  const app = testApp({ roleValueOrder: "role,principal" });
  await withSim({ users: [testUser({ apps: [app] })] }, async (sim) => {
    sim.state.roles[ROLE] = { maxSessionDuration: 43200 };
    const query = form({
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
      DurationSeconds: "43200",
    });
    const res = await fetch(`${sim.stsUrl}/?${query}`);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const record = sim.state.credentials.get(xml(text, "AccessKeyId")!)!;
    assert.equal(record.durationSeconds, 43200);
    assert.equal(record.expiresAt - record.issuedAt, 43200_000);
  });
});

Deno.test("AssumeRoleWithSAML: SessionNotOnOrAfter caps the credentials; MaxSessionDuration is enforced", async () => {
  const app = testApp({ sessionNotOnOrAfterSeconds: 1200 });
  await withSim({ users: [testUser({ apps: [app] })] }, async (sim) => {
    const r = await sts(sim, {
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
    });
    const record = sim.state.credentials.get(xml(r.text, "AccessKeyId")!)!;
    assert.ok(record.expiresAt - record.issuedAt <= 1200_000);

    // A role the test did not configure has IAM's default maximum, 1 h, as a new IAM role does.
    const tooLong = await sts(sim, {
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
      DurationSeconds: "7200",
    });
    assertError(
      tooLong,
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    );
    sim.state.roles[ROLE] = { maxSessionDuration: 7200 };
    const raised = await sts(sim, {
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
      DurationSeconds: "7200",
    });
    assert.equal(raised.status, 200, raised.text);
  });
});

Deno.test("AssumeRoleWithSAML errors: validation messages in AWS's shape", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const base = {
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
    };
    assertError(
      await sts(sim, { ...base, DurationSeconds: "50000" }),
      400,
      "ValidationError",
      "1 validation error detected: Value '50000' at 'durationSeconds' failed to satisfy constraint: " +
        "Member must have value less than or equal to 43200",
    );
    assertError(
      await sts(sim, { ...base, DurationSeconds: "899" }),
      400,
      "ValidationError",
      "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: " +
        "Member must have value greater than or equal to 900",
    );
    const { RoleArn: _r, ...noRole } = base;
    assertError(
      await sts(sim, noRole),
      400,
      "ValidationError",
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
    const { RoleArn: _a, PrincipalArn: _b, ...neither } = base;
    assertError(
      await sts(sim, neither),
      400,
      "ValidationError",
      /^2 validation errors detected: .*roleArn.*; .*principalArn/,
    );
    assertError(
      await sts(sim, { ...base, RoleArn: "arn:aws:iam::123456789012:user/bob" }),
      400,
      "ValidationError",
      /is invalid$/,
    );
  });
});

Deno.test("AssumeRoleWithSAML errors: assertions not issued here, modified, mis-encoded or expired", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const base = { Action: "AssumeRoleWithSAML", RoleArn: ROLE, PrincipalArn: PROVIDER };
    const good = assertion(sim);
    const xmlText = atob(good);

    assertError(await sts(sim, { ...base, SAMLAssertion: "not base64!" }), 400, "InvalidIdentityToken");
    const foreign = btoa(xmlText.replace(/ID="id\d+"/, 'ID="id00000000000000000000000000"'));
    assertError(await sts(sim, { ...base, SAMLAssertion: foreign }), 400, "InvalidIdentityToken");
    const modified = btoa(xmlText.replace("role/Engineer", "role/Admin"));
    assertError(await sts(sim, { ...base, SAMLAssertion: modified }), 400, "InvalidIdentityToken");

    // A raw "+" in the form body decodes as a space, as on the real STS.
    let withPlus = good;
    for (let i = 0; i < 100 && !withPlus.includes("+"); i++) withPlus = assertion(sim);
    assert.ok(withPlus.includes("+"), "some assertion's base64 holds a +");
    const body = form(base) + "&SAMLAssertion=" + withPlus.replaceAll("/", "%2F").replaceAll("=", "%3D");
    const res = await fetch(`${sim.stsUrl}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    assertError(
      { status: res.status, text: await res.text(), headers: res.headers },
      400,
      "InvalidIdentityToken",
    );

    sim.advanceClock(5 * 60 * 1000);
    assertError(
      await sts(sim, { ...base, SAMLAssertion: good }),
      400,
      "ExpiredTokenException",
      "Token expired: current date/time must be before the expiration date/time",
    );
  });
});

Deno.test("AssumeRoleWithSAML errors: a pair the assertion does not hold, or an untrusted provider, is AccessDenied", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const r = await sts(sim, {
      Action: "AssumeRoleWithSAML",
      RoleArn: "arn:aws:iam::123456789012:role/Admin",
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
    });
    assertError(r, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML");

    sim.state.roles[ROLE] = { trusts: ["arn:aws:iam::123456789012:saml-provider/Other"] };
    const untrusted = await sts(sim, {
      Action: "AssumeRoleWithSAML",
      RoleArn: ROLE,
      PrincipalArn: PROVIDER,
      SAMLAssertion: assertion(sim),
    });
    assertError(untrusted, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML");
  });
});

Deno.test("AssumeRole and GetCallerIdentity through the AWS SDK (an independent SigV4 signer)", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const base = await samlCreds(sim);
    const { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const client = new STSClient({ endpoint: sim.stsUrl, region: "eu-west-1", credentials: base });
    try {
      const me = await client.send(new GetCallerIdentityCommand({}));
      assert.equal(me.Arn, "arn:aws:sts::123456789012:assumed-role/Engineer/bob@example.com");
      assert.equal(me.Account, "123456789012");
      assert.match(me.UserId!, /^AROA\w+:bob@example\.com$/);

      const hop = await client.send(
        new AssumeRoleCommand({ RoleArn: TARGET, RoleSessionName: "bob-hop", DurationSeconds: 3600 }),
      );
      assert.equal(
        hop.AssumedRoleUser?.Arn,
        "arn:aws:sts::333333333333:assumed-role/CrossAccountAdmin/bob-hop",
      );
      assert.match(hop.Credentials!.AccessKeyId!, /^ASIA/);
      const record = sim.state.credentials.get(hop.Credentials!.AccessKeyId!)!;
      assert.equal(record.callerAccessKeyId, base.accessKeyId);
      assert.equal(record.action, "AssumeRole");

      const hopClient = new STSClient({
        endpoint: sim.stsUrl,
        region: "us-east-1",
        credentials: {
          accessKeyId: hop.Credentials!.AccessKeyId!,
          secretAccessKey: hop.Credentials!.SecretAccessKey!,
          sessionToken: hop.Credentials!.SessionToken!,
        },
      });
      const who = await hopClient.send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, "arn:aws:sts::333333333333:assumed-role/CrossAccountAdmin/bob-hop");
      hopClient.destroy();

      const wrongSecret = new STSClient({
        endpoint: sim.stsUrl,
        region: "us-east-1",
        credentials: {
          ...base,
          secretAccessKey: base.secretAccessKey.replace(/^./, (c) => c === "A" ? "B" : "A"),
        },
        maxAttempts: 1,
      });
      await assert.rejects(wrongSecret.send(new GetCallerIdentityCommand({})), {
        name: "SignatureDoesNotMatch",
      });
      wrongSecret.destroy();
    } finally {
      client.destroy();
    }
    assert.equal(sim.count("sts:GetCallerIdentity"), 3);
    assert.equal(sim.count("sts:AssumeRole"), 1);
  });
});

Deno.test("signed calls: missing auth, unknown key, wrong token, tampered signature or body, skew, expiry", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const creds = await samlCreds(sim);
    const call = { Action: "GetCallerIdentity" };
    assert.equal((await signed(sim, creds, call)).status, 200);

    assertError(
      await sts(sim, call),
      403,
      "MissingAuthenticationToken",
      "Request is missing Authentication Token",
    );
    assertError(
      await signed(sim, { ...creds, accessKeyId: "ASIAUNKNOWNUNKNOWN00" }, call),
      403,
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
    );
    assertError(await signed(sim, { ...creds, sessionToken: "nope" }, call), 403, "InvalidClientTokenId");
    const flip = (h: Headers, b: string) => {
      const auth = h.get("authorization")!;
      const last = auth.at(-1) === "0" ? "1" : "0";
      h.set("authorization", auth.slice(0, -1) + last);
      return b;
    };
    assertError(
      await signed(sim, creds, call, flip),
      403,
      "SignatureDoesNotMatch",
      /^The request signature we calculated/,
    );
    assertError(
      await signed(
        sim,
        creds,
        { Action: "AssumeRole", RoleArn: TARGET, RoleSessionName: "a1" },
        (_h, b) => b.replace("a1", "a2"),
      ),
      403,
      "SignatureDoesNotMatch",
    );
    assertError(
      await signed(sim, creds, call, undefined, new Date(Date.now() - 20 * 60 * 1000)),
      403,
      "SignatureDoesNotMatch",
      /^Signature expired: \d{8}T\d{6}Z is now earlier than/,
    );
    assertError(
      await signed(sim, creds, call, (h, b) => {
        h.set("authorization", "AWS4-HMAC-SHA256 Credential=x");
        return b;
      }),
      400,
      "IncompleteSignature",
    );

    sim.advanceClock(3600_000);
    assertError(
      await signed(sim, creds, call),
      400,
      "ExpiredToken",
      "The security token included in the request is expired",
    );
  });
});

Deno.test("AssumeRole: role chaining is capped at one hour; session name and duration are validated", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const creds = await samlCreds(sim);
    const hop = { Action: "AssumeRole", RoleArn: TARGET, RoleSessionName: "bob" };
    assertError(
      await signed(sim, creds, { ...hop, DurationSeconds: "7200" }),
      400,
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    assertError(
      await signed(sim, creds, { ...hop, RoleSessionName: "b" }),
      400,
      "ValidationError",
      "1 validation error detected: Value 'b' at 'roleSessionName' failed to satisfy constraint: " +
        "Member must have length greater than or equal to 2",
    );
    assertError(
      await signed(sim, creds, { ...hop, RoleSessionName: "bob smith" }),
      400,
      "ValidationError",
      "1 validation error detected: Value 'bob smith' at 'roleSessionName' failed to satisfy constraint: " +
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    );
    assertError(
      await signed(sim, creds, { ...hop, RoleSessionName: "x".repeat(65) }),
      400,
      "ValidationError",
      /length less than or equal to 64$/,
    );
    const { RoleSessionName: _s, ...noName } = hop;
    assertError(await signed(sim, creds, noName), 400, "ValidationError", /Value null at 'roleSessionName'/);
    const ok = await signed(sim, creds, { ...hop, DurationSeconds: "900" });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.text.startsWith(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`));
  });
});

Deno.test("AssumeRole: trust and ExternalId from state.roles; AccessDenied names the caller and the role", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const creds = await samlCreds(sim);
    const hop = { Action: "AssumeRole", RoleArn: TARGET, RoleSessionName: "bob" };
    const denied = "User: arn:aws:sts::123456789012:assumed-role/Engineer/bob@example.com " +
      `is not authorized to perform: sts:AssumeRole on resource: ${TARGET}`;

    sim.state.roles[TARGET] = { trusts: ["arn:aws:iam::123456789012:role/SomeoneElse"] };
    assertError(await signed(sim, creds, hop), 403, "AccessDenied", denied);
    sim.state.roles[TARGET] = { trusts: [ROLE] };
    assert.equal((await signed(sim, creds, hop)).status, 200);

    sim.state.roles[TARGET] = { externalId: "acme-123" };
    assertError(await signed(sim, creds, hop), 403, "AccessDenied", denied);
    assertError(await signed(sim, creds, { ...hop, ExternalId: "acme-999" }), 403, "AccessDenied", denied);
    const ok = await signed(sim, creds, { ...hop, ExternalId: "acme-123" });
    assert.equal(ok.status, 200);
    assert.equal(sim.state.credentials.get(xml(ok.text, "AccessKeyId")!)!.externalId, "acme-123");
  });
});

Deno.test("AssumeRole: the partition of the assumed-role ARN follows the role", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    const creds = await samlCreds(sim);
    const r = await signed(sim, creds, {
      Action: "AssumeRole",
      RoleArn: "arn:aws-us-gov:iam::444444444444:role/Gov",
      RoleSessionName: "bob",
    });
    assert.equal(xml(r.text, "Arn"), "arn:aws-us-gov:sts::444444444444:assumed-role/Gov/bob");
  });
});

Deno.test("STS dispatch: unknown action, missing Version, web identity without parameters", async () => {
  await withSim({ users: [testUser()] }, async (sim) => {
    assertError(
      await sts(sim, { Action: "GetSessionToken2" }),
      400,
      "InvalidAction",
      "Could not find operation GetSessionToken2 for version 2011-06-15",
    );
    const res = await fetch(`${sim.stsUrl}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity",
    });
    assertError(
      { status: res.status, text: await res.text(), headers: res.headers },
      400,
      "MissingParameter",
    );
    // AssumeRoleWithWebIdentity is implemented (sts_web_identity.ts): missing parameters are validation errors.
    assertError(await sts(sim, { Action: "AssumeRoleWithWebIdentity" }), 400, "ValidationError");
    assert.equal(sim.count("sts:AssumeRoleWithWebIdentity"), 1);
  });
});
