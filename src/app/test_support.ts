/**
 * Test helpers for the use cases: a context on real parts (the memory keyring, the real fetch and
 * file locks, the Okta and STS simulator on loopback), and the context parts a test does not
 * expect to be used. Used by the unit tests here; never by the CLI.
 *
 * @module
 */

import type { Simulator } from "../../tests/sim/simulator.ts";
import type { Keyring } from "../keyring/keyring.ts";
import { scriptedPrompter } from "../okta/test_support.ts";
import type { AppContext } from "./context.ts";
import type { Prompter } from "../ui/prompter.ts";
import { buildFetch } from "../net/fetch_from_env.ts";
import { createLocker } from "../fs/lock.ts";
import { lockDir } from "./lock_dir.ts";

/** The keyring, fetch and locks of a context whose test needs none of them: any use fails the test. */
export const NO_IO: Pick<AppContext, "openKeyring" | "buildFetch" | "locker"> = {
  openKeyring: () => Promise.reject(new Error("this test opens no keyring")),
  buildFetch: () => Promise.reject(new Error("this test makes no HTTP request")),
  locker: () => {
    throw new Error("this test takes no lock");
  },
};

/** What {@linkcode simContext} is built from. */
export interface SimContextOptions {
  /** STS is reached at its URL (AWS_ENDPOINT_URL_STS). */
  sim: Simulator;
  /** HOME; the lock directory and AWS_CONFIG_FILE (`config`) are under it. */
  dir: string;
  /** The keyring every `openKeyring()` returns (processes share the user's keyring). */
  keyring: Keyring;
  /** Answers and records prompts (default: one that fails on any question). */
  prompter?: Prompter;
  /** The clock (default: the real one). */
  now?: () => Date;
  /** More environment variables. */
  env?: Record<string, string>;
  /** Called each time the use case builds a fetch stack. */
  onFetch?: () => void;
}

/** A context as `cli/context.ts` builds it, with the memory keyring and the simulator's endpoints. */
export function simContext(options: SimContextOptions): AppContext {
  const vars: Record<string, string> = {
    AWS_CONFIG_FILE: `${options.dir}/config`,
    AWS_ENDPOINT_URL_STS: options.sim.stsUrl,
    AWS_OKTA_LOCK_DIR: `${options.dir}/locks`,
    AWS_OKTA_POLL_INTERVAL_MS: "1",
    ...options.env,
  };
  return {
    env: { get: (name) => vars[name], toObject: () => ({ ...vars }) },
    prompter: options.prompter ?? scriptedPrompter(),
    debug: () => {},
    now: options.now ?? (() => new Date()),
    home: options.dir,
    options: { debug: false, sessionCacheSingleItem: false },
    openKeyring: () => Promise.resolve(options.keyring),
    buildFetch(caller) {
      options.onFetch?.();
      return buildFetch(this, caller);
    },
    locker(lockerOptions = {}) {
      return createLocker({ ...lockerOptions, dir: lockDir(this.env, this.home) });
    },
  };
}

/** Requests the simulator answered (pushes sent, assertions issued and other tallies are not). */
export function simRequests(sim: Simulator): number {
  return Object.entries(sim.counts())
    .filter(([key]) => /^(GET|POST|PUT|DELETE) |^(sts|iam):/.test(key))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Forgets the simulator's request counts (Okta sessions, tokens and issued credentials stay). */
export function resetCounts(sim: Simulator): void {
  sim.state.requestCounts.clear();
  sim.state.requests.length = 0;
}
