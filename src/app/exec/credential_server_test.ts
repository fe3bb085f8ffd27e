import assert from "node:assert/strict";
import type { AwsCredentials } from "../../aws/credentials.ts";
import { AppError } from "../../errors.ts";
import { startCredentialServer } from "./credential_server.ts";

function creds(n: number): AwsCredentials {
  return {
    accessKeyId: `ASIA${n}`,
    secretAccessKey: `secret-${n}`,
    sessionToken: `token-${n}`,
    expiration: new Date(Date.UTC(2030, 0, 1, n)),
  };
}

Deno.test("credential server: the token is required, then ECS-style JSON from each call", async () => {
  let calls = 0;
  const errors: unknown[] = [];
  const server = startCredentialServer({
    credentials: () => Promise.resolve({ credentials: creds(++calls), roleArn: "arn:aws:iam::1:role/R" }),
    onError: (error) => errors.push(error),
    debug: () => {},
  });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(server.token.length >= 40);
    for (const headers of [{}, { authorization: "wrong" }, { authorization: `Bearer ${server.token}` }]) {
      const response = await fetch(server.url, { headers });
      assert.equal(response.status, 403);
      assert.equal((await response.json()).code, "AccessDenied");
    }
    assert.equal(calls, 0, "no credentials without the token");

    const post = await fetch(server.url, { method: "POST", headers: { authorization: server.token } });
    await post.body?.cancel();
    assert.equal(post.status, 405);

    for (const n of [1, 2]) {
      const response = await fetch(server.url, { headers: { authorization: server.token } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("cache-control"), "no-store");
      assert.deepEqual(await response.json(), {
        AccessKeyId: `ASIA${n}`,
        SecretAccessKey: `secret-${n}`,
        Token: `token-${n}`,
        Expiration: `2030-01-01T0${n}:00:00Z`,
        RoleArn: "arn:aws:iam::1:role/R",
      });
    }
    assert.deepEqual(errors, []);
  } finally {
    await server.close();
  }
});

Deno.test("credential server: requests are served one at a time", async () => {
  let running = 0;
  let most = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const server = startCredentialServer({
    credentials: async () => {
      running++;
      most = Math.max(most, running);
      await gate;
      running--;
      return { credentials: creds(1) };
    },
    onError: () => {},
    debug: () => {},
  });
  try {
    const requests = Array.from(
      { length: 5 },
      () => fetch(server.url, { headers: { authorization: server.token } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    for (const response of await Promise.all(requests)) {
      assert.equal(response.status, 200);
      await response.body?.cancel();
    }
    assert.equal(most, 1);
  } finally {
    await server.close();
  }
});

Deno.test("credential server: a failure is a 500 with the one-line message, and reported", async () => {
  const errors: unknown[] = [];
  let fail = true;
  const server = startCredentialServer({
    credentials: () =>
      fail
        ? Promise.reject(new AppError('profile "x" not found'))
        : Promise.resolve({ credentials: creds(3) }),
    onError: (error) => errors.push(error),
    debug: () => {},
  });
  try {
    const response = await fetch(server.url, { headers: { authorization: server.token } });
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), {
      code: "CredentialsUnavailable",
      message: 'profile "x" not found',
    });
    assert.equal(errors.length, 1);
    fail = false;
    const next = await fetch(server.url, { headers: { authorization: server.token } });
    assert.equal(next.status, 200, "a failure does not block later requests");
    await next.body?.cancel();
  } finally {
    await server.close();
  }
});
