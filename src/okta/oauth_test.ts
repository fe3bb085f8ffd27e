import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { OAuthError, oauthErrorOf, parseTokenSet, parseWwwAuthenticate, unverifiedClaims } from "./oauth.ts";

const URL_ = new URL("https://acme.okta.com/oauth2/v1/token");

Deno.test("oauth: WWW-Authenticate parameters, quoted and bare", () => {
  assert.deepEqual(
    parseWwwAuthenticate(
      'Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="IdpPOST", error="invalid_token", error_description="The token is \\"invalid\\"."',
    ),
    {
      authorization_uri: "https://acme.okta.com/oauth2/v1/authorize",
      realm: "IdpPOST",
      error: "invalid_token",
      error_description: 'The token is "invalid".',
    },
  );
  assert.deepEqual(parseWwwAuthenticate("Bearer error=insufficient_scope"), { error: "insufficient_scope" });
});

Deno.test("oauth: errors come from JSON, then WWW-Authenticate, then Okta's errorCode, else the status", () => {
  const json = oauthErrorOf("POST", URL_, 400, new Headers(), {
    error: "invalid_grant",
    error_description: "The refresh token is invalid or expired.",
  });
  assert.ok(json instanceof OAuthError);
  assert.equal(json.error, "invalid_grant");
  assert.equal(
    json.message,
    'Okta refused POST "/oauth2/v1/token": The refresh token is invalid or expired (invalid_grant)',
  );

  const header = oauthErrorOf(
    "GET",
    URL_,
    403,
    new Headers({
      "www-authenticate": 'Bearer error="insufficient_scope", error_description="Missing scope."',
    }),
    { errorCode: "E0000006", errorSummary: "You do not have permission" },
  );
  assert.ok(header instanceof OAuthError);
  assert.equal(header.error, "insufficient_scope");
  assert.equal(header.description, "Missing scope");

  const api = oauthErrorOf("GET", URL_, 401, new Headers(), {
    errorCode: "E0000011",
    errorSummary: "Invalid token provided",
  });
  assert.ok(api instanceof OAuthError && api.error === "E0000011");

  const bare = oauthErrorOf("POST", URL_, 502, new Headers(), undefined);
  assert.ok(bare instanceof AppError && !(bare instanceof OAuthError));
  assert.match(bare.message, /HTTP 502/);
  assert.match(bare.hint ?? "", /try again later/);
});

Deno.test("oauth: token sets keep optional fields only when present", () => {
  assert.deepEqual(parseTokenSet({ access_token: "a", expires_in: "bad" }, "/t"), {
    accessToken: "a",
    tokenType: "Bearer",
    expiresIn: 3600,
  });
  assert.throws(() => parseTokenSet({ id_token: "x" }, "/t"), /without an access token/);
});

Deno.test("oauth: unverified JWT claims for display; junk is undefined", () => {
  const payload = btoa(JSON.stringify({ preferred_username: "alice@example.com", sub: "00u1" }))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  assert.deepEqual(unverifiedClaims(`h.${payload}.s`), {
    preferred_username: "alice@example.com",
    sub: "00u1",
  });
  assert.equal(unverifiedClaims("opaque-token"), undefined);
  assert.equal(unverifiedClaims("a.!!!.c"), undefined);
});
