import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { primaryAuth, resumeTransaction } from "./authn.ts";
import { OktaClient } from "./client.ts";
import { errorText, jsonResponse, startServer, testFetch } from "./test_support.ts";

async function withAuthn(
  file: string,
  status: number,
  body: (client: OktaClient) => Promise<void>,
) {
  const server = await startServer((_request, origin) => jsonResponse(file, origin, status));
  try {
    await body(new OktaClient({ baseUrl: server.origin, fetch: testFetch() }));
  } finally {
    await server.close();
  }
  return server.requests;
}

Deno.test("primaryAuth: posts username, password, options and the device token", async () => {
  const requests = await withAuthn("authn_mfa_required.json", 200, async (client) => {
    client.jar.set("DT", "device-token-1");
    const answer = await primaryAuth(client, {
      username: "alice@example.com",
      password: "pw",
      deviceToken: "device-token-1",
    });
    assert.equal(answer.status, "MFA_REQUIRED");
    assert.equal(answer._embedded?.factors?.length, 2);
  });
  assert.equal(requests.length, 1);
  assert.equal(requests[0]?.path, "/api/v1/authn");
  assert.equal(requests[0]?.headers.get("cookie"), "DT=device-token-1");
  assert.deepEqual(requests[0]?.body, {
    username: "alice@example.com",
    password: "pw",
    options: { multiOptionalFactorEnroll: false, warnBeforePasswordExpired: true },
    context: { deviceToken: "device-token-1" },
  });
});

Deno.test("primaryAuth: no device token, no context", async () => {
  const requests = await withAuthn("authn_success.json", 200, async (client) => {
    assert.equal((await primaryAuth(client, { username: "alice", password: "pw" })).status, "SUCCESS");
  });
  assert.equal(requests[0]?.headers.get("cookie"), null);
  assert.equal((requests[0]?.body as Record<string, unknown>).context, undefined);
});

Deno.test("primaryAuth: a wrong password names the user, not the password", async () => {
  await withAuthn("error_E0000004.json", 401, async (client) => {
    const error = await primaryAuth(client, { username: "alice@example.com", password: "hunter2-SECRET" })
      .then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof AppError);
    assert.equal(error.message, 'Okta rejected the username or password for "alice@example.com"');
    assert.equal(error.hint, 'run "aws-okta add" to store the current password');
    assert.ok(!errorText(error).includes("hunter2-SECRET"));
  });
});

Deno.test("resumeTransaction: posts the state token alone", async () => {
  const requests = await withAuthn("authn_mfa_required.json", 200, async (client) => {
    assert.equal((await resumeTransaction(client, "00state")).status, "MFA_REQUIRED");
  });
  assert.deepEqual(requests[0]?.body, { stateToken: "00state" });
});

Deno.test("resumeTransaction: an expired state token is a clear error without the token", async () => {
  await withAuthn("error_E0000011.json", 401, async (client) => {
    const error = await resumeTransaction(client, "00state-SECRET").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "the Okta login took too long (transaction expired)");
    assert.ok(!errorText(error).includes("00state-SECRET"));
  });
});

Deno.test("an answer without a status is refused", async () => {
  const server = await startServer(() => Response.json({ hello: "world" }));
  try {
    const client = new OktaClient({ baseUrl: server.origin, fetch: testFetch() });
    await assert.rejects(primaryAuth(client, { username: "a", password: "b" }), /has no status/);
  } finally {
    await server.close();
  }
});
