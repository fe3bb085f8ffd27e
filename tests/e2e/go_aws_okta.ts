/**
 * Runs segmentio's Go aws-okta (built by tests/go_peer.ts) beside ours against the same simulator:
 * {@linkcode createGoWorld} so that tests can compare what scripts see from each (file keyring),
 * {@linkcode createGoKeyringWorld} so that tests can check that each reads what the other wrote to
 * one keyring (the file keyring, a pass store, a Secret Service).
 *
 * What Go needs to reach a loopback simulator:
 * - Okta over https: the simulator serves TLS with a test CA that Go trusts through SSL_CERT_FILE;
 *   the Okta "domain" is `127.0.0.1:<port>`, which Go's proxy rules always reach directly.
 * - STS: the Go SDK has no endpoint override, so it talks to `sts[.<region>].amazonaws.com`
 *   through HTTPS_PROXY; the test proxy here tunnels every CONNECT to the simulator, whose
 *   certificate also names those hosts.
 * - Prompts (the Okta password of `add`, the file keyring's passphrase at every run) are read from
 *   a terminal: Go runs with stdin and stderr on a pseudo-terminal (Python's `pty`), stdout on a
 *   pipe, and the driver answers. Go and we share `~/.aws-okta/` (same file format), so our `add`
 *   serves both.
 * - pass: Go ignores PASSWORD_STORE_DIR and uses `$HOME/.password-store`.
 *
 * @module
 */

import { goAwsOkta } from "../go_peer.ts";
import { type Simulator, startSimulator } from "../sim/simulator.ts";
import {
  createPassStore,
  dropKernelCopies,
  startSecretService,
  type TestPassStore,
  type TestSecretService,
} from "../../src/keyring/test_support.ts";
import { createWorld, PASSPHRASE, type RunResult, withEnv, type World } from "./harness.ts";
import { installLauncher } from "./launcher.ts";
import { connectProxy, makeTestCertificates, type TestCertificates, type TestProxy } from "./tls_support.ts";

/** The STS hosts the Go SDK may call (global, and the regions tests use). */
const STS_HOSTS = ["sts.amazonaws.com", "sts.us-east-1.amazonaws.com", "sts.us-west-2.amazonaws.com"];

/** Options of one Go run. */
export interface GoRunOptions {
  /** Extra or overriding environment variables; undefined removes one. */
  env?: Record<string, string | undefined>;
  /** Terminal prompts to answer: [pattern, answer] (the passphrase prompt is always answered). */
  answers?: [RegExp, string][];
}

/** A run on a pseudo-terminal: stdout as a pipe saw it, `stderr` what the terminal showed. */
export interface PtyResult extends RunResult {
  /** Wall time of the program itself, from its start to its exit (the driver's own start excluded). */
  ms: number;
}

/** Result of a Go run: stdout as a pipe saw it, and everything written to the terminal. */
export interface GoRunResult extends PtyResult {
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

/** What both kinds of world stand on: the Go binary, a TLS simulator, the proxy to it, our world. */
interface GoBase {
  goBin: string;
  certs: TestCertificates;
  sim: Simulator;
  proxy: TestProxy;
  /** Our side, trusting the test CA through AWS_CA_BUNDLE. */
  world: World;
  /** `127.0.0.1:<port>`: the Okta domain Go uses. */
  oktaDomain: string;
  close(): Promise<void>;
}

/**
 * Starts a TLS simulator, a CONNECT proxy to it and a world. Undefined (the caller skips) when Go
 * or the peer archive is missing and peers are optional.
 */
async function startGoBase(): Promise<GoBase | undefined> {
  const goBin = await goAwsOkta();
  if (!goBin) return undefined;
  const certDir = await Deno.makeTempDir({ prefix: "aws-okta-go-ca-" });
  const certs = await makeTestCertificates(certDir, STS_HOSTS);
  const sim = await startSimulator({ tls: certs });
  const port = Number(new URL(sim.url).port);
  const proxy = connectProxy(port);
  const world = await createWorld({ sim });
  world.env.AWS_CA_BUNDLE = certs.caFile;
  return {
    goBin,
    certs,
    sim,
    proxy,
    world,
    oktaDomain: `127.0.0.1:${port}`,
    async close() {
      await world.close();
      await proxy.close();
      await sim.close();
      await Deno.remove(certDir, { recursive: true }).catch(() => {});
    },
  };
}

/** The environment Go runs with: the world's HOME and config, `backend`, STS through the proxy. */
function goEnv(base: GoBase, backend: SharedBackend): Record<string, string> {
  return {
    HOME: base.world.home,
    PATH: base.world.env.PATH ?? "/usr/bin:/bin",
    AWS_CONFIG_FILE: base.world.configFile,
    AWS_SHARED_CREDENTIALS_FILE: `${base.world.home}/.aws/credentials`,
    AWS_OKTA_BACKEND: backend,
    HTTPS_PROXY: base.proxy.url,
    SSL_CERT_FILE: base.certs.caFile,
    TERM: "dumb",
  };
}

/** The file keyring's prompt, answered at every Go run. */
const PASSPHRASE_ANSWER: [RegExp, string] = [/Enter passphrase to unlock/, PASSPHRASE];

/**
 * Sets up a {@linkcode GoWorld} (file keyring). Undefined (the caller skips) when Go or the peer
 * archive is missing and peers are optional.
 */
export async function createGoWorld(): Promise<GoWorld | undefined> {
  const base = await startGoBase();
  if (!base) return undefined;
  const { world, goBin } = base;
  const env = { ...goEnv(base, "file"), USER: "tester", AWS_CA_BUNDLE: base.certs.caFile };
  // One `aws-okta` per side, so that the same script runs either.
  const goDir = `${world.home}/bin-go`;
  await Deno.mkdir(goDir);
  await Deno.symlink(goBin, `${goDir}/aws-okta`);
  const oursDir = await installLauncher(world);
  const run = async (argv: string[], options: GoRunOptions): Promise<GoRunResult> => {
    const result = await runInPty(argv, withEnv(env, options.env ?? {}), world.home, [
      ...(options.answers ?? []),
      PASSPHRASE_ANSWER,
    ]);
    return { ...result, terminal: result.stderr };
  };
  return {
    world,
    goBin,
    oktaDomain: base.oktaDomain,
    proxied: base.proxy.targets,
    runGo: (args, options = {}) => run([goBin, ...args], options),
    script(which, bash, options = {}) {
      const sideEnv: Record<string, string | undefined> = which === "go"
        ? { PATH: `${goDir}:${world.env.PATH}` }
        // Our side: the world's environment (passphrase from AWS_OKTA_FILE_PASSPHRASE, STS
        // endpoint, CA bundle), with Go's proxy settings removed.
        : {
          ...world.env,
          PATH: `${oursDir}:${world.env.PATH}`,
          HTTPS_PROXY: undefined,
          SSL_CERT_FILE: undefined,
        };
      return run(["bash", "--norc", "--noprofile", "-c", bash], {
        ...options,
        env: { ...sideEnv, ...options.env },
      });
    },
    close: () => base.close(),
  };
}

/**
 * Sets up a {@linkcode GoKeyringWorld} for `backend`; undefined (the caller skips) when Go or the
 * peer archive is missing and peers are optional.
 */
export async function createGoKeyringWorld(
  backend: SharedBackend,
  options: { awsvault?: boolean } = {},
): Promise<GoKeyringWorld | undefined> {
  const base = await startGoBase();
  if (!base) return undefined;
  const { world, goBin } = base;
  const app = base.sim.state.users[0]!.apps[0]!;
  const role = app.roles[0]!.roleArn;
  await world.writeConfig(
    `[okta]\naws_saml_url = home/amazon_aws/${app.id}/${app.n}\n\n` +
      `[profile ${GO_PROFILE}]\nrole_arn = ${role}\nokta_aws_role_arn = ${role}\n`,
  );
  const env = goEnv(base, backend);
  world.env.AWS_OKTA_BACKEND = backend;
  const result: GoKeyringWorld = {
    world,
    oktaDomain: base.oktaDomain,
    go: { program: goBin, env },
    runGo: (args, answers = []) =>
      runInPty([goBin, ...args], env, world.home, [...answers, PASSPHRASE_ANSWER]),
    async close() {
      // Our reads there name the store by the symlink in the world's home.
      if (result.passStore) await dropKernelCopies(`${world.home}/.password-store`);
      await base.close();
      await result.secretService?.close();
      await result.passStore?.close();
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
      env.DBUS_SESSION_BUS_ADDRESS = world.env.DBUS_SESSION_BUS_ADDRESS = svc.address;
      delete world.env.AWS_OKTA_FILE_PASSPHRASE;
    } else if (backend === "pass") {
      const store = await createPassStore();
      result.passStore = store;
      await Deno.symlink(store.storeDir, `${world.home}/.password-store`);
      env.GNUPGHOME = world.env.GNUPGHOME = store.gnupgHome;
      delete world.env.AWS_OKTA_FILE_PASSPHRASE;
    }
  } catch (error) {
    await result.close();
    throw error;
  }
  return result;
}

// The pseudo-terminal driver: stdin and stderr on a pty, stdout on a pipe; answers each prompt
// once it shows on the terminal (patterns apply to text written since the last answer).
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

/** Runs `argv` with stdin and stderr on a pseudo-terminal; `stderr` is what the terminal showed. */
async function runInPty(
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
