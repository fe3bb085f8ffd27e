/**
 * Typed keyring items: what each item's bytes mean and what it is called, in Go aws-okta's formats
 * so stores move between the two tools (like aws-vault's credentialkeyring.go/sessionkeyring.go).
 *
 * @module
 */

import { AppError, isRecord } from "../../errors.ts";
import { goJsonStringify } from "../../keyring/go_json.ts";
import { KeyNotFoundError, type Keyring, KeyringError } from "../../keyring/keyring.ts";
import type { WithLock } from "../../fs/lock.ts";
import { formatTimestamp, parseTimestamp } from "../../timestamp.ts";

/** Okta login credentials, stored as JSON with exactly these keys (Go aws-okta's `OktaCreds`). */
export interface OktaCredentials {
  /** Okta organization (empty when Domain is given in full). */
  Organization: string;
  /** Okta user name. */
  Username: string;
  /** Okta password. */
  Password: string;
  /** Okta domain, e.g. "acme.okta.com". */
  Domain: string;
}

/** Label of the Okta credentials item, as Go aws-okta wrote it. */
export const OKTA_CREDENTIALS_LABEL = "okta credentials";
/** Label of the Okta session cookie item, as Go aws-okta wrote it. */
export const SESSION_COOKIE_LABEL = "okta session cookie";
/** Label of the Okta device token item, as Go aws-okta wrote it (lib/okta.go). */
export const DEVICE_TOKEN_LABEL = "okta device token";
/** Key of the single-item session cache. */
export const SESSION_CACHE_KEY = "session-cache";
/** Label of the single-item session cache. */
export const SESSION_CACHE_LABEL = "aws-okta session cache";

const CREDENTIALS_PREFIX = "okta-creds";

/** The key of the Okta credentials item: "okta-creds", or "okta-creds-<account>" for a named account. */
export function oktaCredentialsKey(account?: string): string {
  return account ? `${CREDENTIALS_PREFIX}-${account}` : CREDENTIALS_PREFIX;
}

/** Reads the Okta credentials under `key`; a missing item becomes an error telling how to add them. */
export async function getOktaCredentials(kr: Keyring, key: string): Promise<OktaCredentials> {
  let data: Uint8Array;
  try {
    data = (await kr.get(key)).data;
  } catch (error) {
    if (error instanceof KeyNotFoundError) {
      throw new AppError(`no Okta credentials stored under "${key}"`, { hint: addHint(key) });
    }
    throw error;
  }
  const creds = parseCredentials(data);
  if (!creds) {
    throw new KeyringError(`Okta credentials under "${key}" are corrupted: not a JSON object of strings`, {
      reason: "corrupted",
      hint: `${addHint(key)} to store them again`,
    });
  }
  return creds;
}

/** Stores Okta credentials under `key` with label "okta credentials". */
export async function setOktaCredentials(kr: Keyring, key: string, creds: OktaCredentials): Promise<void> {
  const json = goJsonStringify({
    Organization: creds.Organization,
    Username: creds.Username,
    Password: creds.Password,
    Domain: creds.Domain,
  });
  await kr.set({ key, data: new TextEncoder().encode(json), label: OKTA_CREDENTIALS_LABEL });
}

/** Reads a raw-string item (Okta session cookie, device token); undefined when there is none. */
export async function getSecretString(kr: Keyring, key: string): Promise<string | undefined> {
  try {
    return new TextDecoder().decode((await kr.get(key)).data);
  } catch (error) {
    if (error instanceof KeyNotFoundError) return undefined;
    throw error;
  }
}

/** Stores a raw-string item (its UTF-8 bytes, as Go aws-okta did). */
export async function setSecretString(kr: Keyring, key: string, value: string, label: string): Promise<void> {
  await kr.set({ key, data: new TextEncoder().encode(value), label });
}

/** Temporary AWS credentials cached in the keyring (Go aws-okta's session JSON, plus AssumedRoleArn). */
export interface CachedSession {
  /** The profile or session name it was made for. */
  Name: string;
  /** AWS access key id. */
  AccessKeyId: string;
  /** AWS secret access key. */
  SecretAccessKey: string;
  /** AWS session token. */
  SessionToken: string;
  /** Expiry, RFC 3339 UTC ("2021-01-04T17:36:03Z"). */
  Expiration: string;
  /** The ARN of the assumed role, when known. */
  AssumedRoleArn?: string;
}

/** Options for {@linkcode SessionCache}. */
export interface SessionCacheOptions {
  /** Keep every session in the one item "session-cache" instead of one item per session. */
  singleItem: boolean;
  /**
   * Serializes single-item read-modify-write cycles. Pass a cross-process lock; without one, only
   * writers in this process are serialized.
   */
  withLock?: WithLock;
  /** The clock used to drop expired sessions (tests). */
  now?: () => Date;
}

/**
 * Cached AWS sessions in the keyring, one item per session (Go aws-okta's default) or all in one
 * item (`--session-cache-single-item`, for keyrings that prompt per item).
 *
 * Unreadable entries read as misses, so the next login overwrites them; a wrong passphrase or an
 * I/O failure is still thrown.
 */
export class SessionCache {
  readonly #kr: Keyring;
  readonly #singleItem: boolean;
  readonly #withLock: WithLock;
  readonly #now: () => Date;

  constructor(kr: Keyring, options: SessionCacheOptions) {
    this.#kr = kr;
    this.#singleItem = options.singleItem;
    this.#withLock = options.withLock ?? withProcessLock;
    this.#now = options.now ?? (() => new Date());
  }

  /** The session under `key`, or undefined when missing or unreadable. Does not check expiry. */
  async get(key: string): Promise<CachedSession | undefined> {
    if (!this.#singleItem) {
      const data = await this.#read(key);
      return data === undefined ? undefined : parseSession(parseJson(data));
    }
    return (await this.#readAll()).get(key);
  }

  /** Stores `session` under `key` (per-item mode labels the item `label`). */
  async put(key: string, session: CachedSession, label: string): Promise<void> {
    if (!this.#singleItem) {
      await this.#kr.set({ key, data: encodeJson(sessionJson(session)), label });
      return;
    }
    await this.#withLock(SESSION_CACHE_KEY, async () => {
      const sessions = await this.#readAll();
      const now = this.#now().getTime();
      for (const [name, cached] of sessions) {
        if (!(parseTimestamp(cached.Expiration) > now)) sessions.delete(name);
      }
      sessions.set(key, session);
      await this.#writeAll(sessions);
    });
  }

  /** Forgets the session under `key`; a missing one is fine. */
  async remove(key: string): Promise<void> {
    if (!this.#singleItem) {
      await this.#kr.remove(key);
      return;
    }
    await this.#withLock(SESSION_CACHE_KEY, async () => {
      const sessions = await this.#readAll();
      if (sessions.delete(key)) await this.#writeAll(sessions);
    });
  }

  /** The item's bytes; undefined when missing or corrupted. */
  async #read(key: string): Promise<Uint8Array | undefined> {
    try {
      return (await this.#kr.get(key)).data;
    } catch (error) {
      if (error instanceof KeyNotFoundError) return undefined;
      if (error instanceof KeyringError && error.reason === "corrupted") return undefined;
      throw error;
    }
  }

  async #readAll(): Promise<Map<string, CachedSession>> {
    const sessions = new Map<string, CachedSession>();
    const data = await this.#read(SESSION_CACHE_KEY);
    if (data === undefined) return sessions;
    const root = parseJson(data);
    if (!isRecord(root) || !isRecord(root.Sessions)) return sessions;
    for (const [name, value] of Object.entries(root.Sessions)) {
      const session = parseSession(value);
      if (session) sessions.set(name, session);
    }
    return sessions;
  }

  async #writeAll(sessions: Map<string, CachedSession>): Promise<void> {
    // fromEntries defines own properties, so a key like "__proto__" stays data.
    const root = { Sessions: Object.fromEntries([...sessions].map(([name, s]) => [name, sessionJson(s)])) };
    await this.#kr.set({ key: SESSION_CACHE_KEY, data: encodeJson(root), label: SESSION_CACHE_LABEL });
  }
}

/** Go aws-okta's field order (Name, then sts.Credentials' fields), our AssumedRoleArn last. */
function sessionJson(session: CachedSession): Record<string, string> {
  const json: Record<string, string> = {
    Name: session.Name,
    AccessKeyId: session.AccessKeyId,
    Expiration: session.Expiration,
    SecretAccessKey: session.SecretAccessKey,
    SessionToken: session.SessionToken,
  };
  if (session.AssumedRoleArn !== undefined) json.AssumedRoleArn = session.AssumedRoleArn;
  return json;
}

function parseSession(value: unknown): CachedSession | undefined {
  if (!isRecord(value)) return undefined;
  const { Name, AccessKeyId, SecretAccessKey, SessionToken, Expiration, AssumedRoleArn } = value;
  if (Name !== undefined && typeof Name !== "string") return undefined;
  if (!nonEmpty(AccessKeyId) || !nonEmpty(SecretAccessKey) || !nonEmpty(SessionToken)) return undefined;
  if (typeof Expiration !== "string") return undefined;
  const expires = parseTimestamp(Expiration);
  if (Number.isNaN(expires)) return undefined;
  const session: CachedSession = {
    Name: Name ?? "",
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
    // Go writes RFC 3339 with optional nanoseconds or offsets; truncating to whole seconds only
    // moves the expiry earlier, which is the safe direction.
    Expiration: formatTimestamp(expires),
  };
  if (typeof AssumedRoleArn === "string" && AssumedRoleArn !== "") session.AssumedRoleArn = AssumedRoleArn;
  return session;
}

function parseCredentials(data: Uint8Array): OktaCredentials | undefined {
  const value = parseJson(data);
  if (!isRecord(value)) return undefined;
  const fields = ["Organization", "Username", "Password", "Domain"] as const;
  const creds: OktaCredentials = { Organization: "", Username: "", Password: "", Domain: "" };
  for (const field of fields) {
    const fieldValue = value[field];
    // Go's decoder leaves a missing field empty; we do the same.
    if (fieldValue === undefined || fieldValue === null) continue;
    if (typeof fieldValue !== "string") return undefined;
    creds[field] = fieldValue;
  }
  return creds;
}

function addHint(key: string): string {
  const account = key.startsWith(`${CREDENTIALS_PREFIX}-`) ? key.slice(CREDENTIALS_PREFIX.length + 1) : "";
  return account ? `run "aws-okta add --account ${account}"` : `run "aws-okta add"`;
}

/** Parses JSON; undefined when it is not (never rethrows: the parser's message quotes the secret input). */
function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(goJsonStringify(value));
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

const processLocks = new Map<string, Promise<void>>();

/** The default lock: a promise chain per name, so writers in this process take turns. */
function withProcessLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const previous = processLocks.get(name) ?? Promise.resolve();
  const result = previous.then(fn);
  const tail = result.then(() => {}, () => {});
  processLocks.set(name, tail);
  // Drop the chain once it is idle so the map does not grow with finished work.
  tail.then(() => {
    if (processLocks.get(name) === tail) processLocks.delete(name);
  });
  return result;
}
