/**
 * Runs segmentio's Go aws-okta (built by tests/go_peer.ts) beside ours on one keyring, so tests can
 * check that each reads what the other wrote: the file keyring, a pass store, a Secret Service.
 *
 * What Go needs to log in against the loopback simulator:
 * - Okta over https: the simulator serves TLS with a test CA that Go trusts through SSL_CERT_FILE,
 *   and the Okta "domain" is `127.0.0.1:<port>`.
 * - STS: Go's AWS SDK has no endpoint override, so it reaches `sts.amazonaws.com` through
 *   HTTPS_PROXY; the proxy here tunnels every CONNECT to the simulator, whose certificate names it.
 * - Prompts (the Okta password of `add`, the file keyring's passphrase) are read from a terminal:
 *   Go runs with stdin and stderr on a pseudo-terminal (Python's `pty`), and the driver answers.
 * - pass: Go ignores PASSWORD_STORE_DIR and uses `$HOME/.password-store`.
 *
 * @module
 */

import { goAwsOkta } from "../go_peer.ts";
import { startSimulator } from "../sim/simulator.ts";
import {
  createPassStore,
  startSecretService,
  type TestPassStore,
  type TestSecretService,
} from "../../src/keyring/test_support.ts";
import { createWorld, PASSPHRASE, type RunResult, type World } from "./harness.ts";
import { makeTestCertificates } from "./tls_support.ts";

/** The backends both tools have here. */
export type SharedBackend = "file" | "pass" | "secret-service";

/** One simulator, one HOME, one keyring, both binaries. */
export interface GoKeyringWorld {
  /** Our side (its environment already names the backend and trusts the test CA). */
  world: World;
  /** `127.0.0.1:<port>`: the Okta domain both tools store in `okta-creds`. */
  oktaDomain: string;
  /** The Secret Service (secret-service backend only). */
  secretService?: TestSecretService;
  /** The password store (pass backend only); its store is also `$HOME/.password-store`. */
  passStore?: TestPassStore;
  /** Runs Go aws-okta with `args`, answering `answers` ([prompt pattern, answer]) and the passphrase prompt. */
  runGo(args: readonly string[], answers?: [RegExp, string][]): Promise<PtyResult>;
  /** The Go binary and the environment it runs with (for runs that need no terminal). */
  go: { program: string; env: Record<string, string> };
  close(): Promise<void>;
}

/** The profile both tools read: Go takes `role_arn`, we take `okta_aws_role_arn`. */
export const GO_PROFILE = "dev";

/**
 * Sets up a {@linkcode GoKeyringWorld} for `backend`; undefined (the caller skips) when Go or the
 * peer archive is missing and peers are optional.
 */
export async function createGoKeyringWorld(
  backend: SharedBackend,
  options: { awsvault?: boolean } = {},
): Promise<GoKeyringWorld | undefined> {
  const goBin = await goAwsOkta();
  if (!goBin) return undefined;
  const certDir = await Deno.makeTempDir({ prefix: "aws-okta-go-kr-" });
  const certs = await makeTestCertificates(certDir, ["sts.amazonaws.com"]);
  const sim = await startSimulator({ tls: certs });
  const port = Number(new URL(sim.url).port);
  const proxy = tunnelTo(port);
  const world = await createWorld({ sim });
  const app = sim.state.users[0]!.apps[0]!;
  const role = app.roles[0]!.roleArn;
  await world.writeConfig(
    `[okta]\naws_saml_url = home/amazon_aws/${app.id}/${app.n}\n\n` +
      `[profile ${GO_PROFILE}]\nrole_arn = ${role}\nokta_aws_role_arn = ${role}\n`,
  );
  const goEnv: Record<string, string> = {
    HOME: world.home,
    PATH: world.env.PATH!,
    AWS_CONFIG_FILE: world.configFile,
    AWS_SHARED_CREDENTIALS_FILE: `${world.home}/.aws/credentials`,
    AWS_OKTA_BACKEND: backend,
    HTTPS_PROXY: proxy.url,
    SSL_CERT_FILE: certs.caFile,
    TERM: "dumb",
  };
  world.env.AWS_CA_BUNDLE = certs.caFile;
  world.env.AWS_OKTA_BACKEND = backend;
  const result: GoKeyringWorld = {
    world,
    oktaDomain: `127.0.0.1:${port}`,
    go: { program: goBin, env: goEnv },
    runGo: (args, answers = []) =>
      runInPty([goBin, ...args], goEnv, world.home, [...answers, [/Enter passphrase to unlock/, PASSPHRASE]]),
    async close() {
      await world.close();
      await proxy.close();
      await sim.close();
      await result.secretService?.close();
      await result.passStore?.close();
      await Deno.remove(certDir, { recursive: true }).catch(() => {});
    },
  };
  try {
    if (backend === "secret-service") {
      const keyrings: Record<string, string> = {};
      if (options.awsvault !== false) {
        keyrings["awsvault.keyring"] = await Deno.readTextFile(
          new URL("../fixtures/keyring/awsvault.keyring", import.meta.url),
        );
      }
      const svc = await startSecretService({ keyrings });
      result.secretService = svc;
      goEnv.DBUS_SESSION_BUS_ADDRESS = world.env.DBUS_SESSION_BUS_ADDRESS = svc.address;
      delete world.env.AWS_OKTA_FILE_PASSPHRASE;
    } else if (backend === "pass") {
      const store = await createPassStore();
      result.passStore = store;
      await Deno.symlink(store.storeDir, `${world.home}/.password-store`);
      goEnv.GNUPGHOME = world.env.GNUPGHOME = store.gnupgHome;
      delete world.env.AWS_OKTA_FILE_PASSPHRASE;
    }
  } catch (error) {
    await result.close();
    throw error;
  }
  return result;
}

// stdin and stderr on a pty, stdout on a pipe; each answer is typed once its prompt shows.
const PTY_DRIVER = String.raw`
import json, os, pty, re, select, subprocess, sys, time
spec = json.loads(sys.stdin.read())
master, slave = pty.openpty()
started = time.monotonic()
child = subprocess.Popen(spec["argv"], stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                         env=spec["env"], cwd=spec["cwd"], close_fds=True)
os.close(slave)
rules = [(re.compile(p), a) for p, a in spec["answers"]]
terminal, out, since = b"", b"", 0
deadline = time.time() + 60
fds = [master, child.stdout.fileno()]
while fds and time.time() < deadline:
    for fd in select.select(fds, [], [], 0.1)[0]:
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
sys.stdout.write(json.dumps({"code": code, "ms": (time.monotonic() - started) * 1000,
                             "stdout": out.decode("utf-8", "replace"),
                             "terminal": terminal.decode("utf-8", "replace")}))
`;

/** A run on a pseudo-terminal. */
export interface PtyResult extends RunResult {
  /** Wall time of the program itself, from its start to its exit (the driver's own start excluded). */
  ms: number;
}

/** Runs `argv` with stdin and stderr on a pseudo-terminal; `stderr` is what the terminal showed. */
export async function runInPty(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
  answers: [RegExp, string][],
): Promise<PtyResult> {
  const child = new Deno.Command("python3", {
    args: ["-c", PTY_DRIVER],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const spec = { argv, env, cwd, answers: answers.map(([pattern, answer]) => [pattern.source, answer]) };
  await writer.write(new TextEncoder().encode(JSON.stringify(spec)));
  await writer.close();
  const output = await child.output();
  if (!output.success) throw new Error(`the pty driver failed: ${new TextDecoder().decode(output.stderr)}`);
  const result = JSON.parse(new TextDecoder().decode(output.stdout));
  return {
    code: result.code,
    stdout: result.stdout,
    stderr: String(result.terminal).replaceAll("\r\n", "\n"),
    ms: result.ms,
  };
}

/** A loopback CONNECT proxy that tunnels every target to the simulator's port. */
function tunnelTo(port: number): { url: string; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
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
    if (!head.startsWith("CONNECT ")) {
      await client.write(new TextEncoder().encode("HTTP/1.1 405 Method Not Allowed\r\n\r\n"));
      return client.close();
    }
    const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
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
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Already closed.
        }
      }
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  };
}
