/**
 * What every use case is handed: the process environment, the terminal, the debug log, the clock,
 * and the keyring, fetch and file locks. `cli/context.ts` builds the real one; tests build their
 * own (the memory keyring, a lock directory of their own, the simulators behind the real fetch).
 *
 * @module
 */

import type { Keyring } from "../keyring/keyring.ts";
import type { Fetch } from "../net/fetch.ts";
import type { OktaCaller } from "../net/fetch_from_env.ts";
import type { LockerOptions, WithLock } from "../fs/lock.ts";
import type { Prompter } from "../ui/prompter.ts";
import type { EnvReader } from "../env.ts";

/** Read access to environment variables, and a copy of them all for child processes. */
export interface Env extends EnvReader {
  /** A copy of every variable (for child processes). */
  toObject(): Record<string, string>;
}

/** Global options every command accepts (flag > env > config > default is applied by the CLI layer). */
export interface GlobalOptions {
  /** Keyring backend name, when chosen by `--backend` / AWS_OKTA_BACKEND. */
  backend?: string;
  /** `--debug`: verbose, redacted diagnostics on stderr. */
  debug: boolean;
  /** `--mfa-provider` / AWS_OKTA_MFA_PROVIDER. */
  mfaProvider?: string;
  /** `--mfa-factor-type` / AWS_OKTA_MFA_FACTOR_TYPE. */
  mfaFactorType?: string;
  /** `--mfa-duo-device` / AWS_OKTA_MFA_DUO_DEVICE. */
  mfaDuoDevice?: string;
  /** `--session-cache-single-item` / AWS_OKTA_SESSION_CACHE_SINGLE_ITEM. */
  sessionCacheSingleItem: boolean;
}

/** The dependencies of a use case. */
export interface AppContext {
  /** Environment variables. */
  env: Env;
  /** Prompts and progress. */
  prompter: Prompter;
  /** Debug sink: a no-op unless `--debug`; callers pass only redacted text. */
  debug: (line: string) => void;
  /** The clock (tests move it). */
  now: () => Date;
  /** The user's home directory. */
  home: string;
  /** Global options. */
  options: GlobalOptions;
  /**
   * False where nobody may be asked anything (`exec --server` refreshing in the background): an
   * MFA factor or a device sign-in fails with an InteractionNeededError instead. Default true.
   */
  interactive?: boolean;
  // The three below are called as methods (`this` is the context): a copy of the context with
  // another prompter (exec's credential server, login) asks the file keyring's passphrase through
  // that one. Each builds its part on demand: a cache hit never builds the fetch stack.
  /** Opens the keyring the user chose (`--backend` / AWS_OKTA_BACKEND), else the default one. */
  openKeyring(this: AppContext): Promise<Keyring>;
  /**
   * Builds the fetch for Okta and STS (proxies, AWS_CA_BUNDLE, timeout); `caller` adds
   * okta-aws-cli's headers to the requests to Okta.
   */
  buildFetch(this: AppContext, caller?: OktaCaller): Promise<Fetch>;
  /** File locks shared with other aws-okta processes, in the lock directory (AWS_OKTA_LOCK_DIR). */
  locker(this: AppContext, options?: Omit<LockerOptions, "dir">): WithLock;
}
