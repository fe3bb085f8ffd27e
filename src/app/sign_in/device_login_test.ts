import assert from "node:assert/strict";
import { DEMO_CLIENT_ID, idx } from "../../../tests/sim/idx_state.ts";
import { type Simulator, startSimulator } from "../../../tests/sim/simulator.ts";
import { DEMO_APP_ID, DEMO_LOGIN } from "../../../tests/sim/state.ts";
import { parseAwsConfig, type ResolvedProfile, resolveProfile } from "../../config/aws_config.ts";
import { AppError, InteractionNeededError } from "../../errors.ts";
import { MemoryKeyring } from "../../keyring/memory.ts";
import { getOidcTokens, oidcTokensKey } from "../store/oidc_tokens.ts";
import { type ScriptedPrompter, scriptedPrompter } from "../../okta/test_support.ts";
import type { AppContext } from "../context.ts";
import { deviceLoginIfChosen, deviceSessionIfChosen, deviceUsername, signIn } from "./device_login.ts";
import { resetCounts, simContext, simRequests } from "../test_support.ts";

// The device-flow login on the memory keyring against the simulator's Identity Engine (device
// authorization, tokens, appLinks, /login/token/sso). Its simulated browser approves each device
// code after one pending poll.

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";

interface World {
  sim: Simulator;
  keyring: MemoryKeyring;
  /** The tokens' keyring item for the simulator's org and the demo client. */
  tokensKey: string;
  profile(extra?: string): ResolvedProfile;
  context(options?: { prompter?: ScriptedPrompter; interactive?: boolean }): AppContext;
  /** Moves the contexts' and the simulator's clocks forward. */
  advance(ms: number): void;
}

async function withWorld(fn: (world: World) => Promise<void>): Promise<void> {
  const sim = await startSimulator();
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-device-" });
  const keyring = new MemoryKeyring();
  let offsetMs = 0;
  const world: World = {
    sim,
    keyring,
    tokensKey: oidcTokensKey(new URL(sim.url).host, DEMO_CLIENT_ID),
    profile: (extra = "") =>
      resolveProfile(
        parseAwsConfig(
          `[profile idx]\nokta_org_domain = ${sim.url}\nokta_aws_role_arn = ${ENGINEER}\n${extra}\n`,
          `${dir}/config`,
        ),
        "idx",
      ),
    context(options = {}) {
      const ctx = simContext({
        sim,
        dir,
        keyring,
        prompter: options.prompter ?? scriptedPrompter(),
        now: () => new Date(Date.now() + offsetMs),
      });
      if (options.interactive !== undefined) ctx.interactive = options.interactive;
      return ctx;
    },
    advance(ms) {
      offsetMs += ms;
      sim.advanceClock(ms);
    },
  };
  try {
    await fn(world);
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const CLIENT = `okta_oidc_client_id = ${DEMO_CLIENT_ID}`;

function samlXml(samlResponse: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(samlResponse), (c) => c.charCodeAt(0)));
}

/** Signs in with the device flow as the profile would (org discovery first). */
async function session(world: World, ctx = world.context(), extra = CLIENT) {
  const fetch = await ctx.buildFetch();
  const found = await deviceSessionIfChosen(ctx, world.profile(extra), world.keyring, fetch);
  assert.ok(found, "the device flow applies");
  return { found, fetch, ctx };
}

Deno.test("device login: a profile without an OIDC client id is left to the classic login, with no request", async () => {
  await withWorld(async (world) => {
    const ctx = world.context();
    const login = await deviceLoginIfChosen(ctx, world.profile(), world.keyring, await ctx.buildFetch());
    assert.equal(login, undefined);
    assert.equal(simRequests(world.sim), 0);
  });
});

Deno.test("device login: okta_auth_flow auto on a Classic org is left to the classic login; device says why not", async () => {
  await withWorld(async (world) => {
    idx(world.sim.state).pipeline = "v1";
    const ctx = world.context();
    const fetch = await ctx.buildFetch();
    assert.equal(await deviceLoginIfChosen(ctx, world.profile(CLIENT), world.keyring, fetch), undefined);
    const error = await deviceLoginIfChosen(
      ctx,
      world.profile(`${CLIENT}\nokta_auth_flow = device`),
      world.keyring,
      fetch,
    ).catch((e) => e);
    assert.ok(error instanceof AppError);
    assert.match(error.message, /is a Classic Engine org: the device flow needs Identity Engine/);
    assert.match(error.hint ?? "", /okta_auth_flow = classic/);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);
  });
});

Deno.test("device login: the code and page are shown, the tokens kept, and the SAMLResponse is the app's", async () => {
  await withWorld(async (world) => {
    const prompter = scriptedPrompter();
    const ctx = world.context({ prompter });
    const login = await deviceLoginIfChosen(
      ctx,
      world.profile(CLIENT),
      world.keyring,
      await ctx.buildFetch(),
    );
    assert.ok(login);
    assert.equal(login.username, DEMO_LOGIN, "the id token's user");
    assert.ok(samlXml(login.samlResponse).includes(ENGINEER), "the assertion grants the app's role");
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);
    assert.equal(world.sim.count("oauth:token-exchange"), 1);
    assert.equal(world.sim.count("POST /login/token/sso"), 1);
    const code = [...idx(world.sim.state).deviceCodes.values()][0]!;
    assert.ok(
      prompter.said.some((line) => line.includes(`confirm the code ${code.userCode}`)),
      prompter.said.join("\n"),
    );
    assert.ok(prompter.said.some((line) => line.includes(`${world.sim.url}/activate`)));
    // One app: no question.
    assert.deepEqual(prompter.asked, []);

    const stored = await getOidcTokens(world.keyring, world.tokensKey);
    assert.ok(stored?.refreshToken && stored.idToken, "access, id and refresh tokens are kept");
    assert.equal(stored.username, DEMO_LOGIN);
    assert.equal(await deviceUsername(world.profile(CLIENT), world.keyring), DEMO_LOGIN);
  });
});

Deno.test("device login: stored tokens are used, refreshed once expired, and a refused refresh starts over", async () => {
  await withWorld(async (world) => {
    const { found, fetch } = await session(world);
    assert.equal(found.source, "device");

    resetCounts(world.sim);
    const again = await signIn(world.context(), world.keyring, fetch, found.options);
    assert.equal(again.source, "keyring");
    assert.equal(simRequests(world.sim), 0);

    // An hour on, the access token is spent: the refresh token gets a new one, with no browser.
    world.advance(3600_000);
    resetCounts(world.sim);
    const refreshed = await signIn(world.context(), world.keyring, fetch, found.options);
    assert.equal(refreshed.source, "refresh");
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);
    assert.notEqual(refreshed.tokens.accessToken, found.tokens.accessToken);
    assert.equal(
      (await getOidcTokens(world.keyring, world.tokensKey))?.accessToken,
      refreshed.tokens.accessToken,
    );

    // Okta forgets the refresh token (revoked by an admin): the stored tokens go, the browser flow runs.
    world.advance(3600_000);
    idx(world.sim.state).refreshTokens.clear();
    resetCounts(world.sim);
    const signedIn = await signIn(world.context(), world.keyring, fetch, found.options);
    assert.equal(signedIn.source, "device");
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 1);
  });
});

Deno.test("device login: nobody to ask (exec --server's refresh) fails before starting a device authorization", async () => {
  await withWorld(async (world) => {
    const ctx = world.context({ interactive: false });
    const error = await deviceLoginIfChosen(ctx, world.profile(CLIENT), world.keyring, await ctx.buildFetch())
      .catch((e) => e);
    assert.ok(error instanceof InteractionNeededError, String(error));
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0);
  });
});

Deno.test("device login: an app that refuses offline_access signs in without it, and keeps no refresh token", async () => {
  await withWorld(async (world) => {
    idx(world.sim.state).clients[0]!.allowedScopes = ["openid", "okta.apps.sso", "okta.users.read.self"];
    const { found } = await session(world);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 2, "refused once, then fewer scopes");
    const codes = [...idx(world.sim.state).deviceCodes.values()];
    assert.deepEqual(codes.map((c) => c.scopes), [["openid", "okta.apps.sso", "okta.users.read.self"]]);
    assert.equal(found.tokens.refreshToken, undefined);
  });
});

Deno.test("device login: several AWS apps are offered by label; the chosen one's SAMLResponse comes back", async () => {
  await withWorld(async (world) => {
    const user = world.sim.state.users[0]!;
    const devRole = "arn:aws:iam::210987654321:role/Developer";
    user.apps.push({
      ...user.apps[0]!,
      id: "0oa2zzzzSECOND01",
      label: "AWS Dev",
      roles: [{ roleArn: devRole, principalArn: "arn:aws:iam::210987654321:saml-provider/Okta" }],
    });
    const prompter = scriptedPrompter({ choose: [0] });
    const ctx = world.context({ prompter });
    const login = await deviceLoginIfChosen(
      ctx,
      world.profile(CLIENT),
      world.keyring,
      await ctx.buildFetch(),
    );
    assert.ok(login);
    assert.deepEqual(prompter.choices, [["AWS Dev (0oa2zzzzSECOND01)", `AWS Production (${DEMO_APP_ID})`]]);
    const xml = samlXml(login.samlResponse);
    assert.ok(xml.includes(devRole) && !xml.includes(ENGINEER), "the assertion is AWS Dev's");
  });
});

Deno.test("device login: a terminated Okta session at the token exchange is signed in again once, by refresh", async () => {
  await withWorld(async (world) => {
    await session(world);
    // Okta ends the session behind the stored tokens (sign-out elsewhere, an admin).
    idx(world.sim.state).revokeAll();
    resetCounts(world.sim);
    const ctx = world.context();
    const profile = world.profile(`${CLIENT}\nokta_aws_fed_app_id = ${DEMO_APP_ID}`);
    const login = await deviceLoginIfChosen(ctx, profile, world.keyring, await ctx.buildFetch());
    assert.ok(login);
    assert.equal(world.sim.count("GET /api/v1/users/me/appLinks"), 0, "the app is known");
    assert.equal(world.sim.count("oauth:token-exchange"), 2, "refused once, then with the refreshed token");
    assert.equal(world.sim.count("oauth:refresh_token"), 1);
    assert.equal(world.sim.count("POST /oauth2/v1/device/authorize"), 0, "no browser");
  });
});

Deno.test("device login: no AWS app assigned says so", async () => {
  await withWorld(async (world) => {
    world.sim.state.users[0]!.apps = [];
    const ctx = world.context();
    const error = await deviceLoginIfChosen(ctx, world.profile(CLIENT), world.keyring, await ctx.buildFetch())
      .catch((e) => e);
    assert.ok(error instanceof AppError);
    assert.equal(error.message, "no AWS app is assigned to you in Okta");
    assert.match(error.hint ?? "", /okta_aws_fed_app_id/);
  });
});
