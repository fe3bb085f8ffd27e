/**
 * Bad input from the network: DNS, TLS with an untrusted CA, refused and dropped connections, slow
 * servers past the timeout, proxies that refuse CONNECT or are not there. Same checks as every
 * catalogue case (see bad_input_support.ts), plus the positive side of the TLS case: with the CA in
 * AWS_CA_BUNDLE (or DENO_CERT) the same HTTPS Okta and STS work.
 */

import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "../sim/simulator.ts";
import { createWorld, expectCode } from "./harness.ts";
import { makeTestCertificates } from "./tls_support.ts";
import {
  type BadInputCase,
  coldOkta,
  config,
  defineCases,
  ENGINEER,
  setOktaDomain,
  worldSecrets,
} from "./bad_input_support.ts";

/** A loopback TCP server that answers each connection with `answer` (or closes it at once). */
interface RawServer {
  url: string;
  /** The first line of every request received. */
  requestLines: string[];
  close(): Promise<void>;
}

function rawServer(answer: string | undefined, options: { hold?: boolean } = {}): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requestLines: string[] = [];
  const pending = new Set<Promise<void>>();
  const serve = async (conn: Deno.Conn) => {
    try {
      if (answer !== undefined) {
        const buffer = new Uint8Array(8192);
        let text = "";
        while (!text.includes("\r\n\r\n")) {
          const n = await conn.read(buffer);
          if (n === null) break;
          text += new TextDecoder().decode(buffer.subarray(0, n));
        }
        requestLines.push(text.split("\r\n")[0] ?? "");
        await conn.write(new TextEncoder().encode(answer));
        // Keep the connection open without a word more, until the client gives up.
        if (options.hold) await conn.read(new Uint8Array(1)).catch(() => null);
      }
    } catch {
      // The client may hang up first; nothing to do.
    } finally {
      conn.close();
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      const task = serve(conn);
      pending.add(task);
      task.finally(() => pending.delete(task));
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    requestLines,
    async close() {
      listener.close();
      await accepting;
      await Promise.all(pending);
    },
  };
}

/** A port nothing listens on. */
function closedPort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  return port;
}

function untrustedTlsCase(): BadInputCase {
  let sim: Simulator | undefined;
  return {
    name: "TLS: Okta's certificate is signed by a CA nobody trusts",
    setup: async (w) => {
      sim = await startSimulator({ tls: await makeTestCertificates(`${w.home}/tls`) });
      await setOktaDomain(w, sim.url);
    },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /TLS connection to 127\.0\.0\.1:\d+ failed: .*; .*set AWS_CA_BUNDLE/,
    teardown: () => sim?.close(),
  };
}

function refusingProxyCase(): BadInputCase {
  let proxy: RawServer | undefined;
  return {
    name: "proxy refuses CONNECT (HTTP 403)",
    setup: async (w) => {
      proxy = rawServer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      await setOktaDomain(w, "https://acme.okta.example.com");
    },
    env: () => ({ HTTPS_PROXY: proxy!.url }),
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /the proxy 127\.0\.0\.1:\d+ refused the tunnel to acme\.okta\.example\.com; .*NO_PROXY/,
    after: () => {
      assert.ok(
        proxy!.requestLines.some((line) => line.startsWith("CONNECT acme.okta.example.com:443 ")),
        `the proxy was asked to CONNECT: ${JSON.stringify(proxy!.requestLines)}`,
      );
    },
    teardown: () => proxy?.close(),
  };
}

function stallingBodyCase(): BadInputCase {
  let server: RawServer | undefined;
  return {
    name: "Okta sends half an answer, then nothing (the timeout covers the body)",
    setup: async (w) => {
      server = rawServer(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html><body>Signing in",
        { hold: true },
      );
      await setOktaDomain(w, server.url);
    },
    env: { AWS_OKTA_HTTP_TIMEOUT_SECONDS: "1" },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /127\.0\.0\.1:\d+ did not answer within 1 s/,
    teardown: () => server?.close(),
  };
}

function droppingServerCase(): BadInputCase {
  let server: RawServer | undefined;
  return {
    name: "Okta's host drops the connection without an answer",
    setup: async (w) => {
      server = rawServer(undefined);
      await setOktaDomain(w, server.url);
    },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /request to 127\.0\.0\.1:\d+ failed: .*; check your network or proxy settings/,
    teardown: () => server?.close(),
  };
}

const CASES: BadInputCase[] = [
  {
    name: "DNS: the Okta domain does not resolve",
    setup: (w) => setOktaDomain(w, "https://acme.okta.invalid"),
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /cannot resolve "acme\.okta\.invalid"; check the domain name/,
  },
  untrustedTlsCase(),
  refusingProxyCase(),
  {
    name: "HTTPS_PROXY points at nothing",
    setup: (w) => setOktaDomain(w, "https://acme.okta.example.com"),
    env: () => ({ HTTPS_PROXY: `http://127.0.0.1:${closedPort()}` }),
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message:
      /connection to the proxy 127\.0\.0\.1:\d+ refused \(on the way to acme\.okta\.example\.com\); check HTTPS_PROXY/,
  },
  droppingServerCase(),
  stallingBodyCase(),
  {
    name: "Okta slower than AWS_OKTA_HTTP_TIMEOUT_SECONDS (retried once, then given up)",
    setup: (w) => {
      w.sim.state.faults.push({ match: "GET /home/amazon_aws/:app/:n", delayMs: 5_000 });
    },
    env: { AWS_OKTA_HTTP_TIMEOUT_SECONDS: "1" },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /127\.0\.0\.1:\d+ did not answer within 1 s; check your network or proxy settings/,
    after: (w) =>
      assert.equal(w.sim.count("GET /home/amazon_aws/:app/:n"), 2, "one retry of the idempotent GET"),
  },
  {
    name: "Okta's password login slower than the timeout (a POST: not retried)",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.faults.push({ match: "POST /api/v1/authn", delayMs: 5_000 });
    },
    env: { AWS_OKTA_HTTP_TIMEOUT_SECONDS: "1" },
    args: ["cred-process", "dev"],
    code: 1,
    message: /127\.0\.0\.1:\d+ did not answer within 1 s/,
    after: (w) => assert.equal(w.sim.count("POST /api/v1/authn"), 1, "POST is not retried"),
  },
  {
    name: "STS slower than the timeout",
    setup: (w) => {
      w.sim.state.faults.push({ match: "sts:AssumeRoleWithSAML", delayMs: 5_000 });
    },
    env: { AWS_OKTA_HTTP_TIMEOUT_SECONDS: "1" },
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /127\.0\.0\.1:\d+ did not answer within 1 s/,
  },
  {
    name: "STS connection refused",
    env: () => ({ AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${closedPort()}` }),
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /connection to 127\.0\.0\.1:\d+ refused/,
  },
];

defineCases(CASES);

Deno.test("TLS: with the CA in AWS_CA_BUNDLE or DENO_CERT, the same HTTPS Okta and STS work", async () => {
  const home = await Deno.makeTempDir({ prefix: "aws-okta-tls-" });
  const certs = await makeTestCertificates(home);
  const sim = await startSimulator({ tls: certs });
  const world = await createWorld({ sim });
  try {
    assert.ok(sim.url.startsWith("https://"));
    await world.writeConfig(config(world));
    const withCa = { AWS_CA_BUNDLE: certs.caFile };
    const refused = await world.add();
    expectCode(refused, 1);
    assert.match(refused.stderr, /TLS connection to 127\.0\.0\.1:\d+ failed/);
    const user = sim.state.users[0]!;
    const added = await world.run(["add", "--domain", sim.url, "--username", user.login], {
      stdin: `${user.password}\n`,
      env: withCa,
    });
    expectCode(added, 0);
    const first = await world.run(["cred-process", "dev"], { env: withCa });
    expectCode(first, 0);
    const creds = JSON.parse(first.stdout);
    assert.ok(sim.state.credentials.has(creds.AccessKeyId), "STS (over HTTPS) issued them");
    assert.equal(
      [...sim.state.credentials.values()].find((c) => c.accessKeyId === creds.AccessKeyId)?.roleArn,
      ENGINEER,
    );
    // DENO_CERT is read by Deno itself; AWS_OKTA's own variable is not needed then.
    const second = await world.run(["cred-process", "--refresh", "dev"], {
      env: { DENO_CERT: certs.caFile },
    });
    expectCode(second, 0);
    const without = await world.run(["cred-process", "--refresh", "dev"]);
    expectCode(without, 1);
    assert.match(without.stderr, /^aws-okta: TLS connection to 127\.0\.0\.1:\d+ failed: .*AWS_CA_BUNDLE/m);
    for (const secret of worldSecrets(world)) {
      assert.ok(!without.stderr.includes(secret) && !second.stderr.includes(secret), "a secret leaked");
    }
  } finally {
    await world.close();
    await sim.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});
