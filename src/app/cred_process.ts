/**
 * The "get credentials" use case: cache → lock → Okta → STS → cache.
 *
 * Every hop of a profile's role chain (the SAML role, then one AssumeRole per further profile) is
 * cached in the keyring under a key derived from everything that changes its result. A fresh final
 * hop is answered from the cache with no network and no npm module loaded. Otherwise the caller
 * takes the login lock of the Okta account, reads the cache again (another process may have just
 * filled it), and only then logs in, so concurrent cold calls cost one Okta login and one MFA.
 *
 * The keyring, the fetch and the lock come from the context: the unit tests run it on the memory
 * keyring against the simulator (credentials_test.ts).
 *
 * @module
 */

import { configPath, loadAwsConfigSync, type ResolvedProfile, resolveProfile } from "../config/aws_config.ts";
import { AppError } from "../errors.ts";
import type { AwsCredentials } from "../aws/credentials.ts";
import type { Keyring } from "../keyring/keyring.ts";
import { type CachedSession, SessionCache } from "./store/items.ts";
import { formatDuration, parseDuration } from "../config/duration.ts";
import type { AppContext } from "./context.ts";
import { cacheKey } from "./store/cache_key.ts";
import { deviceCacheParts, loginLockName } from "./sign_in/login_flow.ts";
import { formatTimestamp, parseTimestamp } from "../timestamp.ts";

/** What the caller asks for. TTLs come from flags or env (the profile's own are applied here). */
export interface CredentialRequest {
  /** Profile name in the AWS config. */
  profile: string;
  /** `-t/--session-ttl` or AWS_SESSION_TTL, seconds. */
  sessionTtl?: number;
  /** `-a/--assume-role-ttl` or AWS_ASSUME_ROLE_TTL, seconds. */
  assumeRoleTtl?: number;
  /** `--refresh`: ignore cached sessions and log in again. */
  refresh?: boolean;
  /**
   * `exec -r/--assume-role-arn` or AWS_ASSUME_ROLE_ARN: the role to take from the SAML assertion
   * instead of the profile's (source_profile hops still follow), as Go aws-okta's `exec -r`.
   */
  roleArn?: string;
}

/** Credentials for a profile, with what produced them. */
export interface ProfileCredentials {
  credentials: AwsCredentials;
  profile: ResolvedProfile;
  /** The role the credentials belong to (the last hop's role ARN). */
  roleArn: string | undefined;
  /** True when answered from the cache without any network call. */
  fromCache: boolean;
}

/** One step of the plan: the SAML hop or an AssumeRole hop, with its cache key. */
interface Step {
  kind: "saml" | "assume";
  key: string;
  label: string;
  profile: string;
  roleArn: string | undefined;
  /** Where a SAML step's roleArn was set, for the error when the assertion does not grant it. */
  roleArnFrom?: string;
  durationSeconds: number | undefined;
  roleSessionName?: string;
  externalId?: string;
  region?: string;
}

/** Sessions expiring sooner than this are refreshed (AWS_OKTA_MIN_TTL overrides; 5 min as aws-vault). */
const DEFAULT_MIN_TTL_SECONDS = 300;
/** AWS caps role chaining (AssumeRole with role-session credentials) at one hour. */
const CHAINED_ROLE_MAX_SECONDS = 3600;

/** Resolves the profile, then returns fresh credentials for it from the cache or a new login. */
export async function getCredentials(
  ctx: AppContext,
  request: CredentialRequest,
): Promise<ProfileCredentials> {
  const config = loadAwsConfigSync(configPath(ctx.env, ctx.home));
  const profile = resolveProfile(config, request.profile);
  const steps = planSteps(ctx, profile, request);
  const keyring = await ctx.openKeyring();
  const withLock = ctx.locker({
    onWait: () => ctx.prompter.say("Waiting for another aws-okta process to finish logging in…"),
  });
  const cache = new SessionCache(keyring, { singleItem: ctx.options.sessionCacheSingleItem, withLock });
  const minTtl = minTtlSeconds(ctx);
  for (const step of steps) checkMinTtl(minTtl, step.durationSeconds, step.label);
  const last = steps[steps.length - 1]!;

  if (!request.refresh) {
    const hit = await cache.get(last.key);
    if (hit && isFresh(hit, ctx.now(), minTtl)) {
      ctx.debug(`cache: fresh session for "${profile.name}" until ${hit.Expiration}`);
      return { credentials: fromCached(hit), profile, roleArn: last.roleArn, fromCache: true };
    }
  }
  const lockName = loginLockName(profile);
  return await withLock(
    lockName,
    () => retryingRejectedHop(ctx, { profile, steps, keyring, cache, minTtl, request }),
  );
}

interface RefreshInput {
  profile: ResolvedProfile;
  steps: Step[];
  keyring: Keyring;
  cache: SessionCache;
  minTtl: number;
  request: CredentialRequest;
}

/** STS's answers to a request signed with credentials it no longer accepts. */
const REJECTED_CREDENTIALS = new Set(["ExpiredToken", "InvalidClientTokenId"]);

/**
 * A cached hop can look fresh and still be refused by STS (revoked, or cut short by a policy or a
 * clock): without this, every call would fail until `--refresh`. So when STS rejects the
 * credentials an AssumeRole was signed with, the cached hop that supplied them is dropped and the
 * chain is done once more from the hop before it.
 */
async function retryingRejectedHop(ctx: AppContext, input: RefreshInput): Promise<ProfileCredentials> {
  try {
    return await refresh(ctx, input);
  } catch (error) {
    if (input.request.refresh || !(error instanceof Error && "code" in error)) throw error;
    if (!REJECTED_CREDENTIALS.has(String(error.code))) throw error;
    // The deepest fresh hop below the last is the one whose credentials signed the refused call.
    const used = await deepestFreshHop(ctx, input, input.steps.length - 1);
    if (!used) throw error;
    const step = input.steps[used.index]!;
    ctx.debug(
      `sts: the cached session of "${step.label}" was refused (${error.code}); dropping it and retrying`,
    );
    await input.cache.remove(step.key);
    return await refresh(ctx, input);
  }
}

/** The deepest hop before `end` with a fresh cached session, and that session. */
async function deepestFreshHop(
  ctx: AppContext,
  input: RefreshInput,
  end: number,
): Promise<{ index: number; session: CachedSession } | undefined> {
  for (let i = end - 1; i >= 0; i--) {
    const session = await input.cache.get(input.steps[i]!.key);
    if (session && isFresh(session, ctx.now(), input.minTtl)) return { index: i, session };
  }
  return undefined;
}

/** Runs under the login lock: finds the deepest fresh hop, then does the rest of the chain. */
async function refresh(ctx: AppContext, input: RefreshInput): Promise<ProfileCredentials> {
  const { profile, steps, keyring, cache, minTtl, request } = input;
  let start = 0;
  let current: AwsCredentials | undefined;
  if (!request.refresh) {
    // Another process may have logged in while we waited: look from the last hop backwards.
    const found = await deepestFreshHop(ctx, input, steps.length);
    if (found) {
      current = fromCached(found.session);
      start = found.index + 1;
    }
    if (start === steps.length && current) {
      ctx.debug(`cache: another process refreshed "${profile.name}"`);
      return { credentials: current, profile, roleArn: steps[start - 1]!.roleArn, fromCache: true };
    }
  }

  // A login whose result cannot be stored is wasted: find out first.
  await keyring.checkWritable?.();
  const fetch = await ctx.buildFetch();
  const sts = await import("../aws/sts.ts");
  let username: string | undefined;
  let roleArn: string | undefined;
  for (let i = start; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.kind === "saml") {
      const { samlLogin } = await import("./sign_in/okta_login.ts");
      const { parseSamlAssertion } = await import("../okta/assertion.ts");
      const { chooseRole } = await import("./sign_in/role_choice.ts");
      const login = await samlLogin(ctx, profile, keyring, fetch);
      username = login.username;
      const assertion = await parseSamlAssertion(login.samlResponse);
      const role = await chooseRole(assertion.roles, step.roleArn, ctx.prompter, step.roleArnFrom);
      const { withLongestSession } = await import("./sign_in/session_length.ts");
      const length = samlSessionLength(request, profile, assertion.sessionDuration);
      checkMinTtl(minTtl, length.seconds, step.label);
      current = await withLongestSession(ctx, role.roleArn, length, (durationSeconds) => {
        ctx.debug(`sts: AssumeRoleWithSAML ${role.roleArn} for ${durationSeconds} s`);
        return sts.assumeRoleWithSaml(stsContext(ctx, fetch, step.region), {
          roleArn: role.roleArn,
          principalArn: role.principalArn,
          samlAssertion: login.samlResponse,
          durationSeconds,
        });
      });
      roleArn = role.roleArn;
    } else {
      if (!current) throw new AppError("internal error: AssumeRole hop without source credentials");
      const sessionName = step.roleSessionName ?? await defaultSessionName(keyring, profile, username);
      ctx.debug(`sts: AssumeRole ${step.roleArn} for ${step.durationSeconds} s`);
      current = await sts.assumeRole(stsContext(ctx, fetch, step.region), current, {
        roleArn: step.roleArn!,
        roleSessionName: sessionName,
        durationSeconds: step.durationSeconds ?? CHAINED_ROLE_MAX_SECONDS,
        ...(step.externalId ? { externalId: step.externalId } : {}),
      });
      roleArn = step.roleArn;
    }
    await cache.put(step.key, toCached(step.profile, current), `aws session for ${step.profile}`);
  }
  if (!current) throw new AppError("internal error: no credentials produced");
  return { credentials: current, profile, roleArn, fromCache: false };
}

/** The SAML session's length: the user's (-t/--session-ttl, the profile's session_ttl), else the app's SessionDuration, else 1 h. */
function samlSessionLength(
  request: CredentialRequest,
  profile: ResolvedProfile,
  sessionDuration: number | undefined,
): import("./sign_in/session_length.ts").SessionLength {
  if (request.sessionTtl !== undefined) {
    return { seconds: request.sessionTtl, userSetting: "-t/--session-ttl" };
  }
  if (profile.sessionTtl !== undefined) {
    return { seconds: profile.sessionTtl, userSetting: `session_ttl of profile "${profile.name}"` };
  }
  return { seconds: sessionDuration ?? 3600 };
}

function stsContext(ctx: AppContext, fetch: import("../net/fetch.ts").Fetch, region: string | undefined) {
  return { fetch, env: ctx.env, debug: ctx.debug, ...(region ? { region } : {}) };
}

/** AssumeRole's RoleSessionName default: the Okta username, trimmed to STS's pattern and length. */
async function defaultSessionName(
  keyring: Keyring,
  profile: ResolvedProfile,
  username?: string,
): Promise<string> {
  let name = username;
  if (!name) name = await (await import("./sign_in/device_login.ts")).deviceUsername(profile, keyring);
  if (!name) {
    const { getOktaCredentials } = await import("./store/items.ts");
    name = (await getOktaCredentials(keyring, profile.credentialsKey)).Username;
  }
  const cleaned = name.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `aws-okta-${Date.now()}`;
}

/** Builds the steps and their cache keys. Keys cover everything that changes a hop's result. */
function planSteps(ctx: AppContext, profile: ResolvedProfile, request: CredentialRequest): Step[] {
  const root = profile.chain[profile.chain.length - 1] ?? profile.name;
  const samlDuration = request.sessionTtl ?? profile.sessionTtl;
  const samlRoleArn = request.roleArn ?? profile.samlRoleArn;
  const samlKey = cacheKey(root, [
    "saml",
    profile.credentialsKey,
    profile.samlUrl ?? "",
    samlRoleArn ?? "",
    samlDuration === undefined ? "assertion" : String(samlDuration),
    ...deviceCacheParts(profile),
  ]);
  const steps: Step[] = [{
    kind: "saml",
    key: samlKey,
    label: root,
    profile: root,
    roleArn: samlRoleArn,
    ...(request.roleArn ? { roleArnFrom: "-r/--assume-role-arn (or AWS_ASSUME_ROLE_ARN)" } : {}),
    durationSeconds: samlDuration,
    ...(profile.stsRegion ? { region: profile.stsRegion } : {}),
  }];
  for (const hop of profile.hops) {
    let duration = request.assumeRoleTtl ?? hop.durationSeconds ?? profile.assumeRoleTtl ??
      CHAINED_ROLE_MAX_SECONDS;
    if (duration > CHAINED_ROLE_MAX_SECONDS) {
      ctx.prompter.say(
        `Note: AWS limits chained roles to 1h; using 1h for "${hop.roleArn}" instead of ${duration} s`,
      );
      duration = CHAINED_ROLE_MAX_SECONDS;
    }
    const previous = steps[steps.length - 1]!.key;
    const key = cacheKey(hop.profile, [
      previous,
      hop.roleArn,
      hop.roleSessionName ?? "",
      hop.externalId ?? "",
      String(duration),
    ]);
    steps.push({
      kind: "assume",
      key,
      label: hop.profile,
      profile: hop.profile,
      roleArn: hop.roleArn,
      durationSeconds: duration,
      ...(hop.roleSessionName ? { roleSessionName: hop.roleSessionName } : {}),
      ...(hop.externalId ? { externalId: hop.externalId } : {}),
      ...(hop.region ? { region: hop.region } : {}),
    });
  }
  return steps;
}

function minTtlSeconds(ctx: AppContext): number {
  const value = ctx.env.get("AWS_OKTA_MIN_TTL");
  if (!value) return DEFAULT_MIN_TTL_SECONDS;
  try {
    return parseDuration(value);
  } catch {
    throw new AppError(`invalid duration "${value}" in AWS_OKTA_MIN_TTL`, {
      hint: "use a number with a unit, e.g. 5m or 300s",
      exitCode: 2,
    });
  }
}

/**
 * Sessions no longer than AWS_OKTA_MIN_TTL would be stale the moment they are made: every call would
 * log in again without saying why. Checked before the login when the length is known, else as soon
 * as the SAML assertion tells it.
 */
function checkMinTtl(minTtl: number, durationSeconds: number | undefined, profile: string): void {
  if (durationSeconds === undefined || durationSeconds > minTtl) return;
  throw new AppError(
    `AWS_OKTA_MIN_TTL (${formatDuration(minTtl)}) is not shorter than the ${
      formatDuration(durationSeconds)
    } session of "${profile}": every call would log in again`,
    {
      hint: "set AWS_OKTA_MIN_TTL below the session length (default 5m), or ask for a longer session",
      exitCode: 2,
    },
  );
}

function isFresh(session: CachedSession, now: Date, minTtlSeconds: number): boolean {
  const expires = parseTimestamp(session.Expiration);
  return Number.isFinite(expires) && expires - now.getTime() > minTtlSeconds * 1000;
}

function fromCached(session: CachedSession): AwsCredentials {
  return {
    accessKeyId: session.AccessKeyId,
    secretAccessKey: session.SecretAccessKey,
    sessionToken: session.SessionToken,
    expiration: new Date(parseTimestamp(session.Expiration)),
    ...(session.AssumedRoleArn ? { assumedRoleArn: session.AssumedRoleArn } : {}),
  };
}

function toCached(name: string, creds: AwsCredentials): CachedSession {
  return {
    Name: name,
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    SessionToken: creds.sessionToken,
    Expiration: formatTimestamp(creds.expiration.getTime()),
    ...(creds.assumedRoleArn ? { AssumedRoleArn: creds.assumedRoleArn } : {}),
  };
}
