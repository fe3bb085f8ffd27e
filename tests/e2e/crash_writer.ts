/**
 * The victim of the crash-safety test: rewrites one file-keyring item, or one section of a
 * credentials file, through the production writers, generation after generation, until it is
 * killed. Before each write it prints "writing <n>" so the test can aim its SIGKILL at a write.
 *
 * Usage: deno run -A crash_writer.ts keyring <dir> | credentials <file>
 *
 * @module
 */

import { writeCredentialsFile } from "../../src/app/credentials_file.ts";
import { FileKeyring } from "../../src/keyring/file.ts";

/** What generation `n` writes into the keyring item: big, so a write takes a while. */
export function keyringPayload(generation: number): string {
  return JSON.stringify({ generation, filler: `${generation}:`.repeat(100_000) });
}

/** The credentials generation `n` writes: every value names its generation. */
export function credentialsOf(generation: number) {
  const tag = String(generation).padStart(8, "0");
  return {
    accessKeyId: `ASIA${tag}AAAAAAAA`,
    secretAccessKey: `secret-${tag}-${"s".repeat(24)}`,
    sessionToken: `token-${tag}-${"t".repeat(600)}`,
    expiration: new Date(Date.UTC(2030, 0, 1) + generation * 1000),
  };
}

if (import.meta.main) {
  const [mode, target] = Deno.args;
  const out = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
  const keyring = new FileKeyring({ dir: target!, passphrase: () => Promise.resolve("crash test") });
  for (let generation = 1;; generation++) {
    out(`writing ${generation}`);
    if (mode === "keyring") {
      await keyring.set({
        key: "okta-creds",
        data: new TextEncoder().encode(keyringPayload(generation)),
        label: "crash test",
      });
    } else {
      await writeCredentialsFile({ path: target!, section: "dev", creds: credentialsOf(generation) });
    }
  }
}
