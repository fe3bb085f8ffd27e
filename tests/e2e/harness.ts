/**
 * End-to-end harness: a throwaway HOME with an AWS config, the Okta/STS simulator on loopback, and
 * the real CLI run as a subprocess with the same permission set as the installed launcher.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { type Simulator, startSimulator } from "../sim/simulator.ts";

const ROOT = new URL("../../", import.meta.url);
/** Absolute path of src/main.ts. */
export const MAIN = fileURLToPath(new URL("src/main.ts", ROOT));
/** Absolute path of deno.json. */
export const CONFIG = fileURLToPath(new URL("deno.json", ROOT));

/** The file-keyring passphrase used by the tests. */
export const PASSPHRASE = "test passphrase";

/** Result of one CLI run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for one CLI run. */
export interface RunOptions {
  /** Text fed to stdin (closed afterwards); stdin is /dev/null when absent. */
  stdin?: string;
  /** Extra or overriding environment variables; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Working directory. */
  cwd?: string;
  /** A command (and its arguments) that runs the CLI, e.g. `setpriv …` to drop privileges. */
  under?: readonly string[];
  /** Runs this command line (program and leading arguments, e.g. an installed link) instead of aws-okta. */
  command?: readonly string[];
}

/** A test world: temp HOME, simulator, and a way to run the CLI in it. */
export interface World {
  home: string;
  sim: Simulator;
  configFile: string;
  /** Environment every run gets (before per-run overrides). */
  env: Record<string, string>;
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Writes ~/.aws/config. */
  writeConfig(text: string): Promise<void>;
  /** Runs `add` for the simulator's demo user, non-interactively. */
  add(extraArgs?: readonly string[], password?: string): Promise<RunResult>;
  close(): Promise<void>;
}

let cachedDenoDir: Promise<string> | undefined;

/**
 * The argv that runs the CLI with `args` as a world does: the installed launcher when
 * AWS_OKTA_E2E_BIN names one (make install), else the sources with the launcher's permission set.
 */
export function cliArgv(args: readonly string[]): string[] {
  const launcher = Deno.env.get("AWS_OKTA_E2E_BIN");
  return launcher
    ? [launcher, ...args]
    : [Deno.execPath(), "run", "-q", "-P=aws-okta", "--config", CONFIG, MAIN, ...args];
}

/** `base` with `overrides` applied: a string sets a variable, undefined removes it. */
export function withEnv(
  base: Record<string, string>,
  overrides: Record<string, string | undefined>,
): Record<string, string> {
  const env = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** This Deno's cache directory (DENO_DIR, else what `deno info` reports). */
function denoDir(): Promise<string> {
  return cachedDenoDir ??= (async () => {
    const explicit = Deno.env.get("DENO_DIR");
    if (explicit) return explicit;
    const output = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
      .output();
    return JSON.parse(new TextDecoder().decode(output.stdout)).denoDir as string;
  })();
}

/** Creates a world; `close()` it in a `finally`. */
export async function createWorld(options: { sim?: Simulator } = {}): Promise<World> {
  const home = await Deno.makeTempDir({ prefix: "aws-okta-e2e-" });
  const sim = options.sim ?? await startSimulator();
  const configFile = `${home}/.aws/config`;
  await Deno.mkdir(`${home}/.aws`, { recursive: true });
  const env: Record<string, string> = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
    AWS_OKTA_FILE_PASSPHRASE: PASSPHRASE,
    AWS_OKTA_BACKEND: "file",
    AWS_OKTA_LOCK_DIR: `${home}/locks`,
    AWS_OKTA_POLL_INTERVAL_MS: "20",
    AWS_OKTA_PROMPT: "stdin",
    AWS_ENDPOINT_URL_STS: sim.stsUrl,
    DENO_NO_UPDATE_CHECK: "1",
    // The runs get a throwaway HOME, but not a throwaway Deno cache: an empty one would transpile
    // every module on every run and make Deno ask the npm registry for package metadata.
    DENO_DIR: await denoDir(),
    NO_COLOR: "1",
  };
  // What every Windows process expects to find (Winsock needs SystemRoot, temp files need TEMP), and
  // a custom CA for npm downloads under Wine (tests/windows/run.sh sets DENO_CERT).
  if (Deno.build.os === "windows") {
    for (const name of ["SystemRoot", "windir", "TEMP", "TMP", "ComSpec", "PATHEXT", "DENO_CERT"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
  }
  const world: World = {
    home,
    sim,
    configFile,
    env,
    async run(args, runOptions = {}) {
      const childEnv = withEnv(env, runOptions.env ?? {});
      const argv = runOptions.command ? [...runOptions.command, ...args] : cliArgv(args);
      if (runOptions.under) argv.unshift(...runOptions.under);
      const child = new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        env: childEnv,
        clearEnv: true,
        cwd: runOptions.cwd ?? home,
        stdin: runOptions.stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (runOptions.stdin !== undefined) {
        const writer = child.stdin.getWriter();
        await writer.write(new TextEncoder().encode(runOptions.stdin));
        await writer.close();
      }
      const output = await child.output();
      const decoder = new TextDecoder();
      return {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
      };
    },
    async writeConfig(text) {
      await Deno.writeTextFile(configFile, text);
    },
    add(extraArgs = [], password = sim.state.users[0]!.password) {
      const user = sim.state.users[0]!;
      return world.run(["add", "--domain", sim.url, "--username", user.login, ...extraArgs], {
        stdin: `${password}\n`,
      });
    },
    async close() {
      if (!options.sim) await sim.close();
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
  return world;
}

/** The simulator's default AWS app path, for aws_saml_url. */
export function samlUrlOf(sim: Simulator, appIndex = 0): string {
  const app = sim.state.users[0]!.apps[appIndex]!;
  return `home/amazon_aws/${app.id}/${app.n}`;
}

/**
 * A world whose config has the simulator's app in `[okta]` and `[profile dev]` with the Engineer
 * role (then `extra`, e.g. more keys of dev or more profiles), with the Okta credentials added.
 */
export async function createDevWorld(extra = ""): Promise<World> {
  const world = await createWorld();
  try {
    await world.writeConfig(`[okta]
aws_saml_url = ${samlUrlOf(world.sim)}

[profile dev]
okta_aws_role_arn = arn:aws:iam::123456789012:role/Engineer
${extra}`);
    expectCode(await world.add(), 0);
    return world;
  } catch (error) {
    await world.close();
    throw error;
  }
}

/** Fails with the run's output when the exit code is not the expected one. */
export function expectCode(result: RunResult, code: number): void {
  if (result.code !== code) {
    throw new Error(
      `expected exit ${code}, got ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
}

/** Fails unless `text` contains `part`, showing the text. */
export function assertIncludes(text: string, part: string, message?: string): void {
  if (!text.includes(part)) {
    throw new Error(`${message ? message + ": " : ""}expected to find ${JSON.stringify(part)} in:\n${text}`);
  }
}

/** Forgets the simulator's request counts only (Okta sessions and remembered devices stay). */
export function resetCounts(sim: Simulator): void {
  sim.state.requestCounts.clear();
  sim.state.requests.length = 0;
}

/** Makes Okta forget remembered devices, so the next password login asks for MFA again. */
export function forgetDevices(sim: Simulator): void {
  sim.state.devices.clear();
}
