/**
 * Test certificates made with openssl at test time: a private CA and a server certificate it signs
 * for 127.0.0.1 and localhost. A CA (rather than one self-signed certificate) because rustls, which
 * Deno's fetch uses, refuses a CA certificate presented as the server's own. Also a loopback CONNECT
 * proxy, for HTTPS through a proxy (the README's proxy example, Go aws-okta's STS calls).
 *
 * @module
 */

/** PEM texts of a test CA and a server certificate and key it issued. */
export interface TestCertificates {
  /** The CA certificate: what AWS_CA_BUNDLE points at. */
  caPem: string;
  /** Path of the CA certificate file. */
  caFile: string;
  /** The server certificate (for Deno.serve's `cert`). */
  cert: string;
  /** The server's private key, PKCS#8 (for Deno.serve's `key`). */
  key: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const output = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr)}`);
  }
}

/**
 * Makes a CA and a 127.0.0.1/localhost server certificate in `dir` (valid for two days); `dnsNames`
 * adds host names to the certificate (e.g. AWS endpoints a peer reaches through a test proxy).
 */
export async function makeTestCertificates(
  dir: string,
  dnsNames: readonly string[] = [],
): Promise<TestCertificates> {
  await Deno.mkdir(dir, { recursive: true });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl(dir, [
    "req",
    "-x509",
    ...ec,
    "-days",
    "2",
    "-subj",
    "/CN=aws-okta test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  await openssl(dir, ["req", ...ec, "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr"]);
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    `subjectAltName=IP:127.0.0.1,${["localhost", ...dnsNames].map((name) => `DNS:${name}`).join(",")}\n` +
      "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "server.ext",
    "-out",
    "server.pem",
  ]);
  return {
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    caFile: `${dir}/ca.pem`,
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
  };
}

/** A loopback CONNECT proxy for tests: its URL, the targets asked for (`host:port`), and close. */
export interface TestProxy {
  url: string;
  targets: string[];
  close(): Promise<void>;
}

/**
 * Starts a loopback proxy that tunnels CONNECT requests, recording their targets. It connects to
 * each target itself, or with `upstreamPort` to that loopback port whatever the target (so a peer
 * whose SDK has no endpoint override, e.g. Go's for STS, reaches the simulator).
 */
export function connectProxy(upstreamPort?: number): TestProxy {
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
    const target = /^CONNECT (\S+):(\d+) /.exec(head);
    if (!target) {
      await client.write(new TextEncoder().encode("HTTP/1.1 405 Method Not Allowed\r\n\r\n"));
      return client.close();
    }
    targets.push(`${target[1]}:${target[2]}`);
    const upstream = upstreamPort === undefined
      ? await Deno.connect({ hostname: target[1]!, port: Number(target[2]) })
      : await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
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
          // Already closed.
        }
      }
      await accepting;
      await Promise.allSettled([...tasks]);
    },
  };
}
