/**
 * Builds the use cases' {@linkcode AppContext} from a parsed command line: global options, the
 * environment, the terminal prompter, the debug log, and the real keyring, fetch and file locks.
 *
 * @module
 */

import type { AppContext, Env, GlobalOptions } from "../app/context.ts";
import { openAppKeyring } from "../app/store/open_keyring.ts";
import type { WithLock } from "../fs/lock.ts";
import { lockDir } from "../app/lock_dir.ts";
import { AppError } from "../errors.ts";
import { createDebugLog } from "../ui/debug_log.ts";
import { createPrompter, type PromptMode } from "../ui/terminal.ts";
import type { GlobalFlagValues, ParsedCommand } from "./framework/command.ts";

/** The process environment as an {@linkcode Env}. */
export const processEnv: Env = {
  get: (name) => Deno.env.get(name),
  toObject: () => Deno.env.toObject(),
};

/** Creates the context for a command's use case. */
export function appContext(input: ParsedCommand, promptMode: PromptMode): AppContext {
  const options = globalOptions(input);
  return {
    env: processEnv,
    prompter: createPrompter({ mode: promptMode, env: processEnv }),
    debug: createDebugLog(options.debug),
    now: () => new Date(),
    // Read when a path under it is needed, so that a missing HOME fails only the commands that need it.
    get home() {
      return homeDir(processEnv);
    },
    options,
    openKeyring() {
      return openAppKeyring(this);
    },
    async buildFetch(caller) {
      // Imported here, not above: the cache hit never loads the fetch stack.
      const { buildFetch } = await import("../net/fetch_from_env.ts");
      return await buildFetch(this, caller);
    },
    locker(options = {}): WithLock {
      const dir = lockDir(this.env, this.home);
      // fs/lock.ts loads when a lock is first taken: a cache hit takes none.
      let locker: Promise<WithLock> | undefined;
      return async (name, fn) => {
        locker ??= import("../fs/lock.ts").then(({ createLocker }) => createLocker({ ...options, dir }));
        return await (await locker)(name, fn);
      };
    },
  };
}

function globalOptions(input: ParsedCommand): GlobalOptions {
  // `input` may come from a tree other than aws-okta's (okta-aws-cli's): the values are checked,
  // the names are the declared ones.
  const flags: { [Name in keyof GlobalFlagValues]?: unknown } = input.flags;
  const text = (name: keyof GlobalFlagValues) => {
    const value = flags[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const options: GlobalOptions = {
    debug: flags["debug"] === true,
    sessionCacheSingleItem: flags["session-cache-single-item"] === true,
  };
  const backend = text("backend");
  if (backend) options.backend = backend;
  const provider = text("mfa-provider");
  if (provider) options.mfaProvider = provider;
  const factorType = text("mfa-factor-type");
  if (factorType) options.mfaFactorType = factorType;
  const duoDevice = text("mfa-duo-device");
  if (duoDevice) options.mfaDuoDevice = duoDevice;
  return options;
}

/**
 * HOME, or USERPROFILE on Windows. Never a relative path: secrets and locks written relative to
 * the working directory would land wherever the command happened to run. (The OS's own lookup,
 * `Deno.homeDir`, needs the `sys` permission the launcher does not grant.)
 */
export function homeDir(env: Env): string {
  const windows = Deno.build.os === "windows";
  const home = env.get("HOME") || env.get("USERPROFILE") || "";
  const absolute = windows ? /^([A-Za-z]:)?[\\/]/.test(home) : home.startsWith("/");
  if (!absolute) {
    const name = windows ? "USERPROFILE" : "HOME";
    throw new AppError(home ? `${name} is not an absolute path: "${home}"` : `${name} is not set`, {
      hint: `set ${name} to your home directory (aws-okta keeps its keyring, locks and config there)`,
    });
  }
  return home;
}
