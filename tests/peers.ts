/**
 * Real peers used by the tests: outside programs (moto_server, the AWS CLI, pass, gpg, the keyring
 * daemons, python3, shells, setsid, ...) and libraries (libfido2). On machines without them (the
 * macOS and Windows CI jobs), tests that need them are skipped with a warning; `.ci/run` sets
 * AWS_OKTA_REQUIRE_PEERS=1, and then each missing peer is a failing test that names it and says how
 * to install it, instead of hidden tests.
 *
 * @module
 */

/** True when missing peers must fail the tests rather than skip them. */
export const PEERS_REQUIRED = Deno.env.get("AWS_OKTA_REQUIRE_PEERS") === "1";

/** Finds an executable on PATH (or the path in `$<NAME>_BIN`), or undefined. */
export function findExecutable(name: string): string | undefined {
  const override = Deno.env.get(`${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_BIN`);
  if (override) return override;
  const separator = Deno.build.os === "windows" ? ";" : ":";
  for (const dir of (Deno.env.get("PATH") ?? "").split(separator)) {
    if (!dir) continue;
    for (const candidate of [`${dir}/${name}`, `${dir}/${name}.exe`, `${dir}/${name}.cmd`]) {
      try {
        if (Deno.statSync(candidate).isFile) return candidate;
      } catch {
        // Not here.
      }
    }
  }
  return undefined;
}

/** How to get the programs the tests use (Debian package names, as `.ci/run` installs them). */
const INSTALL: Record<string, string> = {
  pass: "apt-get install pass",
  gpg: "apt-get install gnupg",
  "gnome-keyring-daemon": "apt-get install gnome-keyring",
  "secret-tool": "apt-get install libsecret-tools",
  "dbus-daemon": "apt-get install dbus-daemon",
  python3: "apt-get install python3",
  bash: "apt-get install bash",
  dash: "apt-get install dash",
  zsh: "apt-get install zsh",
  fish: "apt-get install fish",
  setsid: "apt-get install util-linux",
  setpriv: "apt-get install util-linux",
  moto_server: "pip install 'moto[server]'",
  aws: "pip install awscli",
};

const reported = new Set<string>();

/**
 * Says that a peer is missing: with AWS_OKTA_REQUIRE_PEERS=1, by registering a test that fails
 * naming it (once per test file); otherwise with a warning. Call it at module level, where tests
 * are registered, and skip the tests that need the peer.
 */
export function reportMissingPeer(name: string, install = INSTALL[name] ?? "install it"): void {
  if (reported.has(name)) return;
  reported.add(name);
  if (PEERS_REQUIRED) {
    Deno.test(`peer "${name}" is installed (AWS_OKTA_REQUIRE_PEERS=1)`, () => {
      throw new Error(
        `${name} is required by the tests (AWS_OKTA_REQUIRE_PEERS=1) but was not found: ${install}`,
      );
    });
    return;
  }
  console.warn(`warning: ${name} not found; skipping the tests that need it (${install})`);
}

/**
 * Returns the peer's path, or undefined when it is missing (then {@linkcode reportMissingPeer}
 * warns, or registers a failing test when AWS_OKTA_REQUIRE_PEERS=1). Call it at module level and
 * use `ignore: !path` on the tests that need it.
 */
export function requirePeer(name: string, install = INSTALL[name] ?? "install it"): string | undefined {
  const path = findExecutable(name);
  if (path) return path;
  reportMissingPeer(name, install);
  return undefined;
}

/** True when any of `programs` is missing (each reported as {@linkcode requirePeer} does): for `ignore`. */
export function skipWithout(programs: readonly string[]): boolean {
  return programs.map((name) => requirePeer(name)).some((path) => path === undefined);
}

/** A running moto_server. */
export interface Moto {
  url: string;
  close(): Promise<void>;
}

/** Starts moto_server on a free loopback port and waits until it answers. */
export async function startMoto(executable: string): Promise<Moto> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(executable, {
    args: ["-H", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  };
  // A readiness wait, not a timing assertion: moto takes a few seconds to import.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await (await fetch(`${url}/moto-api/`)).body?.cancel();
      return { url, close };
    } catch {
      if (Date.now() > deadline) {
        await close();
        throw new Error(`moto_server did not start on ${url}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A python3 that can import `module` (botocore for the signing cross-checks), or undefined (with a
 * warning) when there is none and peers are optional. Throws when it is missing and
 * AWS_OKTA_REQUIRE_PEERS=1.
 */
export async function requirePythonModule(module: string, install: string): Promise<string | undefined> {
  const python = findExecutable("python3");
  const found = python !== undefined && await new Deno.Command(python, {
    args: ["-c", `import ${module}`],
    stdout: "null",
    stderr: "null",
  }).output().then((result) => result.success, () => false);
  if (found) return python;
  if (PEERS_REQUIRED) {
    throw new Error(`python3 with ${module} is required by the tests (AWS_OKTA_REQUIRE_PEERS=1): ${install}`);
  }
  console.warn(`warning: no python3 with ${module}; skipping the tests that need it (${install})`);
  return undefined;
}
