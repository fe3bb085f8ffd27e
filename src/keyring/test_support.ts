/**
 * Test helpers for the keyring backends: a private D-Bus session bus, a real gnome-keyring on it,
 * a bus that accepts connections but never answers, and a throwaway `pass` store with its own GnuPG
 * home. Used by the unit tests here and the e2e tests; never by the CLI.
 *
 * @module
 */

import { connectBus } from "../dbus/connection.ts";
import { findProgram } from "../fs/find_program.ts";
import { describe, KernelEntryCache } from "./pass/kernel_cache.ts";

/** A private session bus; `close()` stops it and removes its files. */
export interface TestBus {
  /** DBUS_SESSION_BUS_ADDRESS of the bus. */
  address: string;
  /** A temp directory that lives as long as the bus (for HOME, runtime dir, ...). */
  dir: string;
  close(): Promise<void>;
}

/** Whether `command` is on PATH (as an executable file). */
export function hasCommand(command: string): boolean {
  return findProgram(command, Deno.env) !== undefined;
}

/** Options for {@linkcode runTool}. */
export interface RunToolOptions {
  /** The whole environment of the tool. */
  env: Record<string, string>;
  /** Text fed to stdin (closed afterwards); stdin is /dev/null when absent. */
  stdin?: string;
  /** Throw when the tool fails (default true); otherwise return its stdout anyway. */
  check?: boolean;
}

/** Runs a tool (`pass`, `secret-tool`, ...) as a person would, and returns its stdout. */
export async function runTool(command: string, args: string[], options: RunToolOptions): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    clearEnv: true,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  if (!output.success && options.check !== false) {
    throw new Error(`${command} ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/**
 * Starts `dbus-daemon` on a unix socket in a temp directory, with no service activation (so that
 * nothing on the machine is started behind the test's back).
 */
export async function startTestBus(): Promise<TestBus> {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-bus-" });
  const socket = `${dir}/bus`;
  const config = `${dir}/bus.conf`;
  await Deno.writeTextFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const child = new Deno.Command("dbus-daemon", {
    args: [`--config-file=${config}`, "--nofork", "--print-address=1"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  while (!printed.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    printed += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  const address = printed.trim();
  if (!address) {
    await stop(child);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw new Error("dbus-daemon did not start");
  }
  return {
    address,
    dir,
    async close() {
      await stop(child);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  await child.status;
}

/** A bus with an unlocked gnome-keyring on it, plus the environment a client needs to use it. */
export interface TestSecretService extends TestBus {
  /** HOME, XDG_* and DBUS_SESSION_BUS_ADDRESS for clients (the CLI, secret-tool). */
  env: Record<string, string>;
}

/** Options for {@linkcode startSecretService}. */
export interface SecretServiceOptions {
  /** Keyring files to place in `$XDG_DATA_HOME/keyrings/` before the daemon starts. */
  keyrings?: Record<string, string>;
}

/**
 * Starts a private bus and a real `gnome-keyring-daemon --unlock --components=secrets` on it, its
 * login keyring created and unlocked with a password fed on stdin.
 */
export async function startSecretService(options: SecretServiceOptions = {}): Promise<TestSecretService> {
  const bus = await startTestBus();
  const home = `${bus.dir}/home`;
  const runtime = `${bus.dir}/run`;
  const env: Record<string, string> = {
    HOME: home,
    XDG_DATA_HOME: `${home}/.local/share`,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_CACHE_HOME: `${home}/.cache`,
    XDG_RUNTIME_DIR: runtime,
    DBUS_SESSION_BUS_ADDRESS: bus.address,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
  await Deno.mkdir(`${env.XDG_DATA_HOME}/keyrings`, { recursive: true, mode: 0o700 });
  await Deno.mkdir(runtime, { recursive: true, mode: 0o700 });
  for (const [name, text] of Object.entries(options.keyrings ?? {})) {
    await Deno.writeTextFile(`${env.XDG_DATA_HOME}/keyrings/${name}`, text, { mode: 0o600 });
  }
  const daemon = new Deno.Command("gnome-keyring-daemon", {
    args: ["--foreground", "--unlock", "--components=secrets"],
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = daemon.stdin.getWriter();
  await writer.write(new TextEncoder().encode("test keyring password"));
  await writer.close();
  try {
    await waitForName(bus.address, "org.freedesktop.secrets");
  } catch (error) {
    await stop(daemon);
    await bus.close();
    throw error;
  }
  return {
    ...bus,
    env,
    async close() {
      await stop(daemon);
      await bus.close();
    },
  };
}

/** Polls the bus until `name` has an owner (10 s at most). */
export async function waitForName(address: string, name: string): Promise<void> {
  const conn = await connectBus(address, { timeoutMs: 5000 });
  try {
    for (let i = 0; i < 200; i++) {
      if (await conn.nameHasOwner(name)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`"${name}" did not appear on the test bus`);
  } finally {
    conn.close();
  }
}

/** A unix socket that accepts connections and then says nothing: a hung D-Bus. */
export interface HungBus {
  /** A DBUS_SESSION_BUS_ADDRESS pointing at it. */
  address: string;
  /** How many connections it accepted. */
  accepted(): number;
  close(): Promise<void>;
}

/** Starts a {@linkcode HungBus} in a temp directory. */
export async function startHungBus(): Promise<HungBus> {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-hung-" });
  const path = `${dir}/bus`;
  const listener = Deno.listen({ transport: "unix", path });
  const conns: Deno.Conn[] = [];
  let accepted = 0;
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        conns.push(conn);
      }
    } catch {
      // Listener closed.
    }
  })();
  return {
    address: `unix:path=${path}`,
    accepted: () => accepted,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed by the client.
        }
      }
      await loop;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A throwaway password store: its own GNUPGHOME with a passphrase-less key, and `pass init`. */
export interface TestPassStore {
  /** PASSWORD_STORE_DIR. */
  storeDir: string;
  /** GNUPGHOME. */
  gnupgHome: string;
  /** The environment `pass` needs (PASSWORD_STORE_DIR, GNUPGHOME, HOME, PATH). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Creates a {@linkcode TestPassStore}: generates a key non-interactively (gpg's default algorithm,
 * or `algorithm`: "future-default" makes an ed25519 key with a cv25519 encryption subkey) and runs
 * `pass init`.
 */
export async function createPassStore(options: { algorithm?: string } = {}): Promise<TestPassStore> {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-pass-" });
  const gnupgHome = `${dir}/gnupg`;
  const storeDir = `${dir}/store`;
  await Deno.mkdir(gnupgHome, { mode: 0o700 });
  const env: Record<string, string> = {
    HOME: dir,
    GNUPGHOME: gnupgHome,
    PASSWORD_STORE_DIR: storeDir,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
  const run = async (command: string, args: string[]) => {
    const output = await new Deno.Command(command, { args, env, clearEnv: true, stdin: "null" }).output();
    if (!output.success) {
      throw new Error(`${command} ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
    }
    return new TextDecoder().decode(output.stdout);
  };
  const close = async () => {
    await dropKernelCopies(storeDir);
    await new Deno.Command("gpgconf", { args: ["--kill", "gpg-agent"], env, clearEnv: true }).output()
      .catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await run("gpg", [
      "--batch",
      "--passphrase",
      "",
      "--quick-generate-key",
      "aws-okta test <aws-okta-test@example.invalid>",
      options.algorithm ?? "default",
      "default",
      "never",
    ]);
    const listing = await run("gpg", ["--batch", "--with-colons", "--list-secret-keys"]);
    const fingerprint = listing.split("\n").find((line) => line.startsWith("fpr:"))?.split(":")[9];
    if (!fingerprint) throw new Error("gpg made no key");
    await run("pass", ["init", fingerprint]);
  } catch (error) {
    await close();
    throw error;
  }
  return { storeDir, gnupgHome, env, close };
}

/**
 * Drops the kernel-keyring copies of the pass entries under `storeDir` (./pass/kernel_cache.ts).
 * Each lives 10 minutes and counts against the user's key quota (20,000 bytes for a user other
 * than root): a test run leaves the quota as it found it.
 */
export async function dropKernelCopies(storeDir: string): Promise<void> {
  if (Deno.build.os !== "linux") return;
  const cache = KernelEntryCache.open();
  if (!cache) return;
  const prefix = describe(`${storeDir.replace(/\/+$/, "")}/`);
  // /proc/keys shows the keys this process possesses: "<id> <flags> ... user <description>: <bytes>".
  const lines = (await Deno.readTextFile("/proc/keys").catch(() => "")).split("\n");
  for (const line of lines) {
    const at = line.indexOf(` ${prefix}`);
    if (at < 0) continue;
    const description = line.slice(at + 1, line.lastIndexOf(": "));
    await cache.remove(description.slice(describe("").length));
  }
}

/**
 * Creates an item the way Go aws-okta did (99designs/keyring over go-libsecret): CreateItem in the
 * "awsvault" collection with the label = key, the one attribute `profile` = key, and the JSON of
 * the Go keyring Item as an "application/json" secret. The collection must exist (see
 * tests/fixtures/keyring/awsvault.keyring).
 */
export async function createGoLibsecretItem(
  address: string,
  key: string,
  data: Uint8Array,
  label: string,
): Promise<void> {
  const conn = await connectBus(address, { timeoutMs: 5000 });
  try {
    const service = {
      destination: "org.freedesktop.secrets",
      path: "/org/freedesktop/secrets",
      interface: "org.freedesktop.Secret.Service",
    };
    const [, session] = await conn.call({
      ...service,
      member: "OpenSession",
      signature: "sv",
      body: ["plain", { signature: "s", value: "" }],
    });
    const collection = "/org/freedesktop/secrets/collection/awsvault";
    const [, prompt] = await conn.call({
      ...service,
      member: "Unlock",
      signature: "ao",
      body: [[collection]],
    });
    if (prompt !== "/") throw new Error("unlocking the awsvault collection needs a prompt");
    const item = JSON.stringify({
      Key: key,
      Data: data.toBase64(),
      Label: label,
      Description: "",
      KeychainNotTrustApplication: false,
      KeychainNotSynchronizable: false,
    });
    await conn.call({
      destination: "org.freedesktop.secrets",
      path: collection,
      interface: "org.freedesktop.Secret.Collection",
      member: "CreateItem",
      signature: "a{sv}(oayays)b",
      body: [
        new Map([
          ["org.freedesktop.Secret.Item.Label", { signature: "s", value: key }],
          ["org.freedesktop.Secret.Item.Attributes", {
            signature: "a{ss}",
            value: new Map([["profile", key]]),
          }],
        ]),
        [session!, new Uint8Array(0), new TextEncoder().encode(item), "application/json"],
        true,
      ],
    });
  } finally {
    conn.close();
  }
}
