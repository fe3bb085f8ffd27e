import assert from "node:assert/strict";
import { MemoryKeyring } from "../../keyring/memory.ts";
import { getOidcTokens, oidcTokensKey, removeOidcTokens, setOidcTokens } from "./oidc_tokens.ts";

Deno.test("oidc tokens: one item per org and client, round trip, removal", async () => {
  const kr = new MemoryKeyring();
  const key = oidcTokensKey("Acme.Okta.com", "0oaC");
  assert.equal(key, "okta-oidc-tokens acme.okta.com 0oaC");
  assert.equal(await getOidcTokens(kr, key), undefined);
  const tokens = {
    accessToken: "at",
    tokenType: "Bearer",
    expiresAt: "2030-01-01T00:00:00Z",
    idToken: "it",
    refreshToken: "rt",
    username: "alice@example.com",
  };
  await setOidcTokens(kr, key, tokens);
  assert.deepEqual(await getOidcTokens(kr, key), tokens);
  assert.equal((await kr.get(key)).label, "okta oidc tokens");
  assert.equal(await getOidcTokens(kr, oidcTokensKey("acme.okta.com", "0oaOther")), undefined);
  await removeOidcTokens(kr, key);
  assert.equal(await getOidcTokens(kr, key), undefined);
});

Deno.test("oidc tokens: unreadable items read as none (the next sign-in overwrites them)", async () => {
  const kr = new MemoryKeyring();
  const bad = ["not json", "[]", '{"tokenType":"Bearer"}', '{"accessToken":"a","expiresAt":"never"}'];
  for (const text of bad) {
    await kr.set({ key: "k", data: new TextEncoder().encode(text) });
    assert.equal(await getOidcTokens(kr, "k"), undefined, text);
  }
});
