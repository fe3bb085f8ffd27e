// Cost of the cache-hit read path: `deno bench -P=test src/keyring/file_bench.ts`.
import { FileKeyring } from "./file.ts";

const dir = await Deno.makeTempDir({ prefix: "aws-okta-bench-" });
const kr = new FileKeyring({ dir, passphrase: () => Promise.resolve("bench passphrase") });
const session = JSON.stringify({
  Name: "okta-dev",
  AccessKeyId: "ASIAXXXXXXXXXXXXXXXX",
  Expiration: "2031-01-04T17:36:03Z",
  SecretAccessKey: "x".repeat(40),
  SessionToken: "y".repeat(900),
});
await kr.set({ key: "okta-dev session (0123456789abcdef0123)", data: new TextEncoder().encode(session) });

Deno.bench("file keyring get (read + PBKDF2 8192 + unwrap + decrypt)", async () => {
  await kr.get("okta-dev session (0123456789abcdef0123)");
});

Deno.bench("file keyring set (PBKDF2 8192 + wrap + encrypt + atomic write)", async () => {
  await kr.set({ key: "bench-set", data: new TextEncoder().encode(session) });
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
