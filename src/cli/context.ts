/**
 * Builds the use cases' {@linkcode AppContext} from a parsed command line: global options, the
 * environment, the terminal prompter and the debug log.
 *
 * @module
 */

import type { AppContext, Env, GlobalOptions } from "../app/context.ts";
import { createDebugLog } from "../ui/debug_log.ts";
import { createPrompter } from "../ui/terminal.ts";
import type { ParsedCommand } from "./command.ts";

/** Where prompts read answers: "tty" prefers the terminal even when stdin is a pipe (credential_process). */
export type PromptMode = "auto" | "stdin" | "tty";

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
    home: homeDir(processEnv),
    options,
  };
}

function globalOptions(input: ParsedCommand): GlobalOptions {
  const flags = input.flags;
  const text = (name: string) => {
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

/** HOME, or USERPROFILE on Windows. */
export function homeDir(env: Env): string {
  return env.get("HOME") ?? env.get("USERPROFILE") ?? ".";
}
