import assert from "node:assert/strict";
import { OAuthError } from "./oauth.ts";
import {
  type DeviceAuthorization,
  pollDeviceToken,
  startDeviceAuthorization,
} from "./device_authorization.ts";
import { startServer, testFetch } from "./test_support.ts";

const AUTH: DeviceAuthorization = {
  deviceCode: "dc-secret",
  userCode: "WXKD-BPLM",
  verificationUri: "https://acme.okta.com/activate",
  expiresIn: 600,
  interval: 5,
};

function oauth(error: string, status = 400): Response {
  return Response.json({ error, error_description: `${error} said Okta.` }, { status });
}

/** A poller whose sleeps are recorded and advance a fake clock instead of waiting. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("device authorize: form fields, answer fields, defaults", async () => {
  const server = await startServer(() =>
    Response.json({
      device_code: "dc",
      user_code: "ABCD-EFGH",
      verification_uri: "https://x/activate",
      verification_uri_complete: "https://x/activate?user_code=ABCD-EFGH",
    })
  );
  try {
    const answer = await startDeviceAuthorization({
      fetch: testFetch(),
      baseUrl: server.origin,
      clientId: "0oaC",
      scopes: ["openid", "okta.apps.sso"],
    });
    assert.deepEqual(answer, {
      deviceCode: "dc",
      userCode: "ABCD-EFGH",
      verificationUri: "https://x/activate",
      verificationUriComplete: "https://x/activate?user_code=ABCD-EFGH",
      expiresIn: 600,
      interval: 5,
    });
    const request = server.requests[0]!;
    assert.equal(request.path, "/oauth2/v1/device/authorize");
    assert.equal(request.headers.get("content-type"), "application/x-www-form-urlencoded");
    assert.equal(request.body, "client_id=0oaC&scope=openid+okta.apps.sso");
  } finally {
    await server.close();
  }
});

Deno.test("device authorize: an unknown client says which setting to fix", async () => {
  const server = await startServer(() => oauth("invalid_client", 401));
  try {
    await assert.rejects(
      startDeviceAuthorization({
        fetch: testFetch(),
        baseUrl: server.origin,
        clientId: "0oaBad",
        scopes: ["openid"],
      }),
      (error: unknown) => {
        assert.ok(error instanceof OAuthError);
        assert.equal(error.error, "invalid_client");
        assert.match(error.message, /Okta does not know the OIDC client "0oaBad"/);
        assert.match(error.hint ?? "", /okta_oidc_client_id/);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("device polling: waits the interval, adds 5 s per slow_down, returns the tokens", async () => {
  const answers = [
    oauth("authorization_pending"),
    oauth("slow_down"),
    oauth("authorization_pending"),
    Response.json({
      access_token: "at",
      id_token: "it",
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: "rt",
    }),
  ];
  const server = await startServer(() => answers.shift()!);
  const time = fakeTime();
  try {
    const tokens = await pollDeviceToken({
      fetch: testFetch(),
      baseUrl: server.origin,
      clientId: "0oaC",
      authorization: AUTH,
      sleep: time.sleep,
      now: time.now,
    });
    assert.deepEqual(tokens, {
      accessToken: "at",
      idToken: "it",
      tokenType: "Bearer",
      expiresIn: 3600,
      refreshToken: "rt",
    });
    assert.deepEqual(time.sleeps, [5000, 5000, 10000, 10000]);
    const body = new URLSearchParams(String(server.requests[0]!.body));
    assert.equal(body.get("grant_type"), "urn:ietf:params:oauth:grant-type:device_code");
    assert.equal(body.get("device_code"), "dc-secret");
    assert.equal(body.get("client_id"), "0oaC");
  } finally {
    await server.close();
  }
});

Deno.test("device polling: maxWaitMs caps each wait (tests, AWS_OKTA_POLL_INTERVAL_MS)", async () => {
  const answers = [oauth("authorization_pending"), Response.json({ access_token: "at" })];
  const server = await startServer(() => answers.shift()!);
  const time = fakeTime();
  try {
    await pollDeviceToken({
      fetch: testFetch(),
      baseUrl: server.origin,
      clientId: "c",
      authorization: AUTH,
      maxWaitMs: 20,
      sleep: time.sleep,
      now: time.now,
    });
    assert.deepEqual(time.sleeps, [20, 20]);
  } finally {
    await server.close();
  }
});

for (
  const [error, message] of [
    ["expired_token", /the device code expired before the sign-in was approved/],
    ["access_denied", /the sign-in was denied in the browser/],
    ["invalid_grant", /Okta no longer accepts this device code/],
    ["invalid_client", /invalid_client said Okta \(invalid_client\)/],
  ] as const
) {
  Deno.test(`device polling: ${error} stops with a clear message`, async () => {
    const server = await startServer(() => oauth(error));
    const time = fakeTime();
    try {
      await assert.rejects(
        pollDeviceToken({
          fetch: testFetch(),
          baseUrl: server.origin,
          clientId: "c",
          authorization: AUTH,
          sleep: time.sleep,
          now: time.now,
        }),
        (e: unknown) => {
          assert.ok(e instanceof OAuthError);
          assert.match(e.message, message);
          assert.ok(!e.message.includes("dc-secret"));
          return true;
        },
      );
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });
}

Deno.test("device polling: stops at the device code's expiry without asking the server", async () => {
  const server = await startServer(() => oauth("authorization_pending"));
  const time = fakeTime();
  try {
    await assert.rejects(
      pollDeviceToken({
        fetch: testFetch(),
        baseUrl: server.origin,
        clientId: "c",
        authorization: { ...AUTH, expiresIn: 12, interval: 5 },
        sleep: time.sleep,
        now: time.now,
      }),
      /the device code expired/,
    );
    // Polls at 5 s and 10 s; the next one (15 s) would be past the 12 s expiry.
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});
