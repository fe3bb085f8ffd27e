/**
 * Real peers used by the tests: moto_server (STS) and the AWS CLI. On machines without them (the
 * macOS and Windows CI jobs), tests that need them are skipped with a warning; `.ci/run` sets
 * AWS_OKTA_REQUIRE_PEERS=1 so that a missing peer fails the run there instead of hiding tests.
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

/**
 * Returns the peer's path, or undefined (with a warning) when it is missing and peers are optional.
 * Throws when it is missing and AWS_OKTA_REQUIRE_PEERS=1.
 */
export function requirePeer(name: string, install: string): string | undefined {
  const path = findExecutable(name);
  if (path) return path;
  if (PEERS_REQUIRED) {
    throw new Error(`${name} is required by the tests (AWS_OKTA_REQUIRE_PEERS=1): ${install}`);
  }
  console.warn(`warning: ${name} not found on PATH; skipping the tests that need it (${install})`);
  return undefined;
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
