import assert from "node:assert/strict";
import { OAuthError } from "./oauth.ts";
import { exchangeWebSsoToken, isStaleSubject, refreshTokens } from "./oidc_grants.ts";
import { startServer, testFetch } from "./test_support.ts";

const INPUT = { clientId: "0oaC", accessToken: "at-secret", idToken: "it-secret", appId: "0oaApp" };

function refusal(description: string, error = "invalid_grant"): Response {
  return Response.json({ error, error_description: description }, { status: 400 });
}

Deno.test("token exchange: the RFC 8693 form Okta wants, and the web SSO token back", async () => {
  const server = await startServer(() =>
    Response.json({
      token_type: "N_A",
      access_token: "web-sso",
      issued_token_type: "urn:okta:oauth:token-type:web_sso_token",
    })
  );
  try {
    const token = await exchangeWebSsoToken({ fetch: testFetch(), baseUrl: server.origin, ...INPUT });
    assert.equal(token, "web-sso");
    const form = Object.fromEntries(new URLSearchParams(String(server.requests[0]!.body)));
    assert.deepEqual(form, {
      client_id: "0oaC",
      actor_token: "at-secret",
      actor_token_type: "urn:ietf:params:oauth:token-type:access_token",
      subject_token: "it-secret",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      requested_token_type: "urn:okta:oauth:token-type:web_sso_token",
      audience: "urn:okta:apps:0oaApp",
    });
  } finally {
    await server.close();
  }
});

for (
  const [description, error, message, hint, stale] of [
    [
      "The application's assurance requirements are not met by the 'subject_token'.",
      "invalid_grant",
      /sign-on policy refused this sign-in \(client "0oaC", app "0oaApp"\): The application's assurance/,
      /device state "Any"/,
      false,
    ],
    [
      "The target audience app must be configured to allow the client to request a 'web_sso_token'.",
      "invalid_grant",
      /does not accept web SSO tokens from this client/,
      /Web SSO client/,
      false,
    ],
    [
      "The 'subject_token' either expired or the session associated with it was terminated.",
      "invalid_grant",
      /the Okta sign-in is no longer valid/,
      /sign in once more/,
      true,
    ],
  ] as const
) {
  Deno.test(`token exchange refusal: ${description.slice(0, 40)}…`, async () => {
    const server = await startServer(() => refusal(description, error));
    try {
      await assert.rejects(
        exchangeWebSsoToken({ fetch: testFetch(), baseUrl: server.origin, ...INPUT }),
        (e: unknown) => {
          assert.ok(e instanceof OAuthError);
          assert.match(e.message, message);
          assert.match(e.hint ?? "", hint);
          assert.equal(isStaleSubject(e), stale);
          assert.ok(!`${e.message}${e.hint}`.includes("secret"));
          return true;
        },
      );
    } finally {
      await server.close();
    }
  });
}

Deno.test("refresh: the refresh_token grant, and invalid_grant kept machine-readable", async () => {
  const answers = [
    Response.json({ access_token: "new", refresh_token: "rotated", id_token: "id", expires_in: 60 }),
    refusal("The refresh token is invalid or expired."),
  ];
  const server = await startServer(() => answers.shift()!);
  try {
    const tokens = await refreshTokens({
      fetch: testFetch(),
      baseUrl: server.origin,
      clientId: "0oaC",
      refreshToken: "rt",
    });
    assert.equal(tokens.refreshToken, "rotated");
    assert.equal(tokens.expiresIn, 60);
    const form = Object.fromEntries(new URLSearchParams(String(server.requests[0]!.body)));
    assert.deepEqual(form, { client_id: "0oaC", grant_type: "refresh_token", refresh_token: "rt" });
    await assert.rejects(
      refreshTokens({ fetch: testFetch(), baseUrl: server.origin, clientId: "0oaC", refreshToken: "rt" }),
      (e: unknown) => e instanceof OAuthError && e.error === "invalid_grant",
    );
  } finally {
    await server.close();
  }
});
