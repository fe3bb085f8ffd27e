/**
 * Test certificates made with openssl at test time: a private CA and a server certificate it signs
 * for 127.0.0.1 and localhost. A CA (rather than one self-signed certificate) because rustls, which
 * Deno's fetch uses, refuses a CA certificate presented as the server's own.
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
