/**
 * What every use case is handed: the process environment, the terminal, the debug log and the
 * clock. `main.ts` builds the real one; tests build their own.
 *
 * @module
 */

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
}
