import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "../../tests/sim/simulator.ts";
import { DEMO_APP_ID, DEMO_LOGIN, DEMO_PASSWORD } from "../../tests/sim/state.ts";
import { MemoryKeyring } from "../keyring/memory.ts";
import { oktaCredentialsKey, setOktaCredentials } from "./store/items.ts";
import { type ScriptedPrompter, scriptedPrompter } from "../okta/test_support.ts";
import type { AppContext } from "./context.ts";
import { getCredentials, type ProfileCredentials } from "./cred_process.ts";
import { resetCounts, simContext, simRequests as requests } from "./test_support.ts";

// getCredentials on the memory keyring, with the real fetch, file locks and session-length memory,
// against the Okta and STS simulator on loopback. The simulator's request counts say what each
// call cost; the default user approves Okta Verify pushes.

const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const ADMIN = "arn:aws:iam::123456789012:role/Admin";
const AUDIT = "arn:aws:iam::123456789012:role/Audit";

/** dev (the SAML role, 1 h) → admin (AssumeRole, 1 h) → audit (AssumeRole, 15 min). */
const CONFIG = `[okta]
aws_saml_url = home/amazon_aws/${DEMO_APP_ID}/272

[profile dev]
okta_aws_role_arn = ${ENGINEER}

[profile admin]
source_profile = dev
role_arn = ${ADMIN}

[profile audit]
source_profile = admin
role_arn = ${AUDIT}
duration_seconds = 900
`;

interface World {
  sim: Simulator;
  /** A context of its own (as one aws-okta process), answering prompts from `prompter`. */
  context(prompter?: ScriptedPrompter): AppContext;
  /** How often the contexts built a fetch stack. */
  fetches(): number;
  /** Moves the contexts' and the simulator's clocks forward. */
  advance(ms: number): void;
  close(): Promise<void>;
}

async function createWorld(): Promise<World> {
  const sim = await startSimulator();
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-credentials-" });
  await Deno.writeTextFile(`${dir}/config`, CONFIG);
  // One keyring for every context, as processes share the user's keyring.
  const keyring = new MemoryKeyring();
  await setOktaCredentials(keyring, oktaCredentialsKey(), {
    Organization: "",
    Username: DEMO_LOGIN,
    Password: DEMO_PASSWORD,
    Domain: sim.url,
  });
  let offsetMs = 0;
  let fetches = 0;
  return {
    sim,
    context: (prompter = scriptedPrompter()) =>
      simContext({
        sim,
        dir,
        keyring,
        prompter,
        now: () => new Date(Date.now() + offsetMs),
        onFetch: () => fetches++,
      }),
    fetches: () => fetches,
    advance(ms) {
      offsetMs += ms;
      sim.advanceClock(ms);
    },
    async close() {
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function withWorld(fn: (world: World) => Promise<void>): Promise<void> {
  const world = await createWorld();
  try {
    await fn(world);
  } finally {
    await world.close();
  }
}

/** What STS recorded when it issued these credentials. */
function issued(sim: Simulator, result: ProfileCredentials) {
  const record = sim.state.credentials.get(result.credentials.accessKeyId);
  assert.ok(record, "the credentials were issued by the simulator's STS");
  return record;
}

Deno.test("getCredentials: a fresh cached session is answered with no request and no fetch stack", async () => {
  await withWorld(async (world) => {
    const first = await getCredentials(world.context(), { profile: "dev" });
    assert.equal(first.fromCache, false);
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(issued(world.sim, first).roleArn, ENGINEER);

    resetCounts(world.sim);
    const fetchesBefore = world.fetches();
    world.advance(30 * 60_000);
    const second = await getCredentials(world.context(), { profile: "dev" });
    assert.equal(second.fromCache, true);
    assert.equal(second.roleArn, ENGINEER);
    assert.deepEqual(second.credentials, first.credentials);
    assert.equal(requests(world.sim), 0, JSON.stringify(world.sim.counts()));
    assert.equal(world.fetches(), fetchesBefore, "a cache hit builds no fetch");
  });
});

Deno.test("getCredentials: only the expired last hop is assumed again, from the cached hop before it", async () => {
  await withWorld(async (world) => {
    const first = await getCredentials(world.context(), { profile: "audit" });
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(world.sim.count("sts:AssumeRole"), 2);
    const adminKey = issued(world.sim, first).callerAccessKeyId;
    assert.equal(world.sim.state.credentials.get(adminKey!)?.roleArn, ADMIN);

    // 12 minutes on, audit's 15-minute session is inside the 5-minute refresh window; admin's and
    // dev's hours are not.
    world.advance(12 * 60_000);
    resetCounts(world.sim);
    const second = await getCredentials(world.context(), { profile: "audit" });
    assert.equal(second.fromCache, false);
    assert.deepEqual(world.sim.counts(), { "sts:AssumeRole": 1 });
    const record = issued(world.sim, second);
    assert.equal(record.roleArn, AUDIT);
    assert.equal(record.callerAccessKeyId, adminKey, "signed with admin's cached session");
    assert.equal(record.durationSeconds, 900);
    assert.equal(record.roleSessionName, DEMO_LOGIN, "the stored Okta username names the session");

    // Every hop is fresh again: the next call is a cache hit.
    resetCounts(world.sim);
    const third = await getCredentials(world.context(), { profile: "audit" });
    assert.equal(third.fromCache, true);
    assert.equal(third.credentials.accessKeyId, second.credentials.accessKeyId);
    assert.equal(requests(world.sim), 0);
  });
});

Deno.test("getCredentials: a stale hop (fresh by the clock, refused by STS) is dropped and redone from the hop before", async () => {
  await withWorld(async (world) => {
    await getCredentials(world.context(), { profile: "audit" });
    const saml = [...world.sim.state.credentials.values()].find((c) => c.roleArn === ENGINEER);
    assert.ok(saml);

    // audit is due; admin's cached session looks good for most of an hour, but STS has ended it
    // (as when it is revoked early): audit's AssumeRole is refused with ExpiredToken.
    world.advance(12 * 60_000);
    assert.equal(world.sim.endCredentials("expire", (c) => c.roleArn === ADMIN), 1);
    resetCounts(world.sim);
    const redone = await getCredentials(world.context(), { profile: "audit" });
    assert.equal(redone.fromCache, false);
    assert.deepEqual(world.sim.counts(), { "sts:AssumeRole": 3 }, "one refused, then admin and audit");
    const audit = issued(world.sim, redone);
    assert.equal(audit.roleArn, AUDIT);
    const admin = world.sim.state.credentials.get(audit.callerAccessKeyId!);
    assert.equal(admin?.roleArn, ADMIN);
    assert.equal(admin.callerAccessKeyId, saml.accessKeyId, "admin assumed again from dev's cached session");

    // The new admin session replaced the refused one in the cache.
    resetCounts(world.sim);
    const adminAgain = await getCredentials(world.context(), { profile: "admin" });
    assert.equal(adminAgain.fromCache, true);
    assert.equal(adminAgain.credentials.accessKeyId, admin.accessKeyId);
    assert.equal(requests(world.sim), 0);
  });
});

Deno.test("getCredentials: concurrent cold callers share one Okta login and one STS call through the lock", async () => {
  await withWorld(async (world) => {
    const callers = 5;
    const results = await Promise.all(
      Array.from({ length: callers }, () => getCredentials(world.context(), { profile: "dev" })),
    );
    assert.equal(world.sim.count("POST /api/v1/authn"), 1);
    assert.equal(world.sim.count("push:sent"), 1);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(new Set(results.map((r) => r.credentials.accessKeyId)).size, 1);
    assert.equal(
      results.filter((r) => !r.fromCache).length,
      1,
      "one caller logged in, the rest read its session",
    );
  });
});

Deno.test("getCredentials: SessionDuration refused by the role's MaxSessionDuration is retried once at 1h", async () => {
  await withWorld(async (world) => {
    // The app asks for 12 h; the role allows IAM's default of 1 h.
    world.sim.state.users[0]!.apps[0]!.sessionDuration = 43200;
    world.sim.state.roles[ENGINEER] = { maxSessionDuration: 3600 };
    const prompter = scriptedPrompter();
    const first = await getCredentials(world.context(prompter), { profile: "dev" });
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 2, "one refused call, one retry");
    assert.equal(issued(world.sim, first).durationSeconds, 3600);
    assert.ok(
      prompter.said.some((line) => line.includes(`"${ENGINEER}" allows no 12h sessions`)),
      prompter.said.join("\n"),
    );

    // Remembered: a new login asks for 1 h at once.
    resetCounts(world.sim);
    const again = await getCredentials(world.context(), { profile: "dev", refresh: true });
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
    assert.equal(issued(world.sim, again).durationSeconds, 3600);

    // Asked for by the user (-t 2h): no retry, and the error names the flag.
    resetCounts(world.sim);
    const asked = await getCredentials(world.context(), { profile: "dev", refresh: true, sessionTtl: 7200 })
      .then(() => undefined, (error) => error);
    assert.ok(asked instanceof Error);
    assert.match(asked.message, /exceeds the MaxSessionDuration/);
    assert.equal(world.sim.count("sts:AssumeRoleWithSAML"), 1);
  });
});
