import assert from "node:assert/strict";
import { OAuthError } from "./oauth.ts";
import { pollDeviceToken, startDeviceAuthorization } from "./device_authorization.ts";
import { startServer, testFetch } from "./test_support.ts";

Deno.test("device authorize: an expires_in of years is capped at 30 minutes, so polling has an end", async () => {
  const server = await startServer(() =>
    Response.json({
      device_code: "dc",
      user_code: "ABCD-EFGH",
      verification_uri: "https://x/activate",
      expires_in: 10 ** 9,
      interval: 5,
    })
  );
  try {
    const authorization = await startDeviceAuthorization({
      fetch: testFetch(),
      baseUrl: server.origin,
      clientId: "0oaC",
      scopes: ["openid"],
    });
    assert.equal(authorization.expiresIn, 1800);
  } finally {
    await server.close();
  }
});

Deno.test("device polling: a sign-in nobody approves stops at the code's expiry", async () => {
  let polls = 0;
  const server = await startServer(() => {
    polls++;
    return Response.json({ error: "authorization_pending" }, { status: 400 });
  });
  let now = 0;
  try {
    await assert.rejects(
      pollDeviceToken({
        fetch: testFetch(),
        baseUrl: server.origin,
        clientId: "0oaC",
        authorization: {
          deviceCode: "dc",
          userCode: "U",
          verificationUri: "https://x",
          expiresIn: 1800,
          interval: 5,
        },
        sleep: (ms) => {
          now += ms;
          return Promise.resolve();
        },
        now: () => now,
      }),
      (error: unknown) =>
        error instanceof OAuthError && /expired before the sign-in was approved/.test(error.message),
    );
    assert.equal(polls, 1800 / 5 - 1, "one poll per interval until the deadline, then no more");
  } finally {
    await server.close();
  }
});
