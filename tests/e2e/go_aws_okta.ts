/**
 * Runs segmentio's Go aws-okta (built by tests/go_peer.ts) and ours side by side against the same
 * simulator, so that tests can compare what scripts see from each.
 *
 * What Go needs to reach a loopback simulator:
 * - Okta over https: the simulator serves TLS with a test CA that Go trusts through SSL_CERT_FILE;
 *   the Okta "domain" is `127.0.0.1:<port>`, which Go's proxy rules always reach directly.
 * - STS: the Go SDK has no endpoint override, so it talks to `sts[.<region>].amazonaws.com`
 *   through HTTPS_PROXY; the test proxy here tunnels every CONNECT to the simulator, whose
 *   certificate also names those hosts.
 * - Its file keyring asks for the passphrase on the terminal at every run: Go runs with stdin and
 *   stderr on a pseudo-terminal (Python's `pty`), stdout on a pipe, and the driver answers the
 *   passphrase prompt. Go and we share `~/.aws-okta/` (same file format), so our `add` serves both.
 *
 * @module
 */

import { goAwsOkta } from "../go_peer.ts";
import { startSimulator } from "../sim/simulator.ts";
import { CONFIG, createWorld, MAIN, PASSPHRASE, type RunResult, type World } from "./harness.ts";
import { makeTestCertificates, type TestCertificates } from "./tls_support.ts";

/** The STS hosts the Go SDK may call (global, and the regions tests use). */
const STS_HOSTS = ["sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts.us-west-2.amazonaws.com"];

/** Options of one Go run. */
export interface GoRunOptions {
  /** Extra or overriding environment variables; undefined removes one. */
  env?: Record<string, string | undefined>;
  /** Terminal prompts to answer: [pattern, answer] (the passphrase prompt is always answered). */
  answers?: [RegExp, string][];
}

/** Result of a Go run: stdout as a pipe saw it, and everything written to the terminal. */
export interface GoRunResult extends RunResult {
  /** Go writes its prompts and errors to the terminal (stderr); `stderr` holds the same text. */
  terminal: string;
}

/** One simulator, one HOME, both binaries. */
export interface GoWorld {
  /** Our side: run with `world.run` (it trusts the test CA through AWS_CA_BUNDLE). */
  world: World;
  /** The path of the Go binary. */
  goBin: string;
  /** `127.0.0.1:<port>`: the Okta domain Go uses. */
  oktaDomain: string;
  /** Hosts the proxy was asked to CONNECT to. */
  proxied: string[];
  /** Runs Go aws-okta with `args` in the same HOME and config. */
  runGo(args: readonly string[], options?: GoRunOptions): Promise<GoRunResult>;
  /**
   * Runs a bash script in which `aws-okta` is Go's binary ("go") or ours ("ours", the installed
   * launcher when AWS_OKTA_E2E_BIN is set), on a terminal as a user would.
   */
  script(which: "go" | "ours", bash: string, options?: GoRunOptions): Promise<GoRunResult>;
  close(): Promise<void>;
}

/**
 * Starts a TLS simulator, a CONNECT proxy and a world. Undefined (the caller skips) when Go or the
 * peer archive is missing and peers are optional.
 */
export async function createGoWorld(): Promise<GoWorld | undefined> {
  const goBin = await goAwsOkta();
  if (!goBin) return undefined;
  const certDir = await Deno.makeTempDir({ prefix: "aws-okta-go-ca-" });
  const certs = await makeTestCertificates(certDir, STS_HOSTS);
  const sim = await startSimulator({ tls: certs });
  const port = Number(new URL(sim.url).port);
  const proxy = tunnelProxy(port);
  const world = await createWorld({ sim });
  world.env["AWS_CA_BUNDLE"] = certs.caFile;
  const oktaDomain = `127.0.0.1:${port}`;
  // One `aws-okta` per side, so that the same script runs either.
  const goDir = `${world.home}/bin-go`;
  const oursDir = `${world.home}/bin-ours`;
  await Deno.mkdir(goDir);
  await Deno.mkdir(oursDir);
  await Deno.symlink(goBin, `${goDir}/aws-okta`);
  const launcher = Deno.env.get("AWS_OKTA_E2E_BIN");
  await Deno.writeTextFile(
    `${oursDir}/aws-okta`,
    launcher
      ? `#!/bin/sh\nexec '${launcher}' "$@"\n`
      : `#!/bin/sh\nexec '${Deno.execPath()}' run -q -P=aws-okta --config '${CONFIG}' '${MAIN}' "$@"\n`,
    { mode: 0o755 },
  );
  return {
    world,
    goBin,
    oktaDomain,
    proxied: proxy.targets,
    runGo: (args, options = {}) => runGo(goBin, world, certs, proxy.url, args, options),
    script(which, bash, options = {}) {
      const env: Record<string, string | undefined> = which === "go"
        ? { PATH: `${goDir}:${world.env.PATH}` }
        // Our side: the world's environment (passphrase from AWS_OKTA_FILE_PASSPHRASE, STS
        // endpoint, CA bundle), with Go's proxy settings removed.
        : {
          ...world.env,
          PATH: `${oursDir}:${world.env.PATH}`,
          HTTPS_PROXY: undefined,
          SSL_CERT_FILE: undefined,
        };
      return runGo("bash", world, certs, proxy.url, ["--norc", "--noprofile", "-c", bash], {
        ...options,
        env: { ...env, ...options.env },
      });
    },
    async close() {
      await world.close();
      await proxy.close();
      await sim.close();
      await Deno.remove(certDir, { recursive: true }).catch(() => {});
    },
  };
}

function goEnv(world: World, certs: TestCertificates, proxyUrl: string): Record<string, string> {
  return {
    HOME: world.home,
    PATH: world.env.PATH ?? "/usr/bin:/bin",
    USER: "tester",
    AWS_CONFIG_FILE: world.configFile,
    AWS_SHARED_CREDENTIALS_FILE: `${world.home}/.aws/credentials`,
    AWS_OKTA_BACKEND: "file",
    HTTPS_PROXY: proxyUrl,
    SSL_CERT_FILE: certs.caFile,
    AWS_CA_BUNDLE: certs.caFile,
    TERM: "dumb",
  };
}

// The pseudo-terminal driver: stdin and stderr on a pty, stdout on a pipe; answers each prompt
// once it shows on the terminal (patterns apply to text written since the last answer).
const PTY_DRIVER = String.raw`
import json, os, pty, re, select, subprocess, sys, time
spec = json.loads(sys.stdin.read())
master, slave = pty.openpty()
child = subprocess.Popen(spec["argv"], stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                         env=spec["env"], cwd=spec["cwd"], close_fds=True)
os.close(slave)
rules = [(re.compile(p), a) for p, a in spec["answers"]]
terminal, out, since = b"", b"", 0
deadline = time.time() + spec["timeout"]
fds = [master, child.stdout.fileno()]
while fds and time.time() < deadline:
    ready, _, _ = select.select(fds, [], [], 0.1)
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            fds.remove(fd)
        elif fd == master:
            terminal += data
        else:
            out += data
    text = terminal[since:].decode("utf-8", "replace")
    for pattern, answer in rules:
        if pattern.search(text):
            os.write(master, (answer + "\n").encode())
            since = len(terminal)
            break
    if child.poll() is not None and child.stdout.fileno() not in fds:
        break
if child.poll() is None:
    child.kill()
code = child.wait()
sys.stdout.write(json.dumps({"code": code, "stdout": out.decode("utf-8", "replace"),
                             "terminal": terminal.decode("utf-8", "replace")}))
`;

async function runGo(
  program: string,
  world: World,
  certs: TestCertificates,
  proxyUrl: string,
  args: readonly string[],
  options: GoRunOptions,
): Promise<GoRunResult> {
  const env = goEnv(world, certs, proxyUrl);
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const answers: [string, string][] = [
    ...(options.answers ?? []).map(([pattern, answer]): [string, string] => [pattern.source, answer]),
    ["Enter passphrase to unlock", PASSPHRASE],
  ];
  const child = new Deno.Command("python3", {
    args: ["-c", PTY_DRIVER],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(
    new TextEncoder().encode(
      JSON.stringify({ argv: [program, ...args], env, cwd: world.home, answers, timeout: 60 }),
    ),
  );
  await writer.close();
  const output = await child.output();
  if (!output.success) {
    throw new Error(`the pty driver failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  const terminal = String(result.terminal).replaceAll("\r\n", "\n");
  return { code: result.code, stdout: result.stdout, stderr: terminal, terminal };
}

/** A loopback CONNECT proxy that tunnels every target to the simulator's port, recording targets. */
function tunnelProxy(simPort: number): { url: string; targets: string[]; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const targets: string[] = [];
  const conns = new Set<Deno.Conn>();
  const tunnel = async (client: Deno.Conn) => {
    conns.add(client);
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await client.read(buffer);
      if (n === null) return client.close();
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const target = /^CONNECT (\S+) /.exec(head);
    if (!target) {
      await client.write(new TextEncoder().encode("HTTP/1.1 405 Method Not Allowed\r\n\r\n"));
      return client.close();
    }
    targets.push(target[1]!);
    const upstream = await Deno.connect({ hostname: "127.0.0.1", port: simPort });
    conns.add(upstream);
    await client.write(new TextEncoder().encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    await Promise.allSettled([
      client.readable.pipeTo(upstream.writable),
      upstream.readable.pipeTo(client.writable),
    ]);
  };
  const tasks = new Set<Promise<unknown>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      const task = tunnel(conn).catch(() => {});
      tasks.add(task);
      task.finally(() => tasks.delete(task));
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    targets,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  };
}
