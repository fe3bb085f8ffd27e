/**
 * The tool we replace, for side-by-side tests: segmentio's Go aws-okta v1.0.11, built from the source
 * archive in `../shared/peers/` (CI has it beside the checkout) with Debian's Go, offline, from its own
 * vendor/ folder. The binary is built once per machine into `.tools/peers/` (git-ignored) and reused
 * while the archive is unchanged; a file lock lets parallel test files share one build.
 *
 * Where Go or the archive is missing the tests that need it are skipped with a warning, or fail
 * naming what is missing when AWS_OKTA_REQUIRE_PEERS=1 (as `.ci/run` sets).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { PEERS_REQUIRED, requirePeer } from "./peers.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Where the peer archive is looked for: `$AWS_OKTA_GO_PEER_ARCHIVE`, else `../shared/peers/`. */
export const GO_PEER_ARCHIVE = Deno.env.get("AWS_OKTA_GO_PEER_ARCHIVE") ??
  `${ROOT}../shared/peers/aws-okta-go-v1.0.11.tar.gz`;

const OUT_DIR = `${ROOT}.tools/peers`;
const BINARY = `${OUT_DIR}/aws-okta-go`;
const STAMP = `${OUT_DIR}/aws-okta-go.stamp`;

function archiveStamp(): string | undefined {
  try {
    const info = Deno.statSync(GO_PEER_ARCHIVE);
    return `${info.size}:${info.mtime?.getTime() ?? 0}`;
  } catch {
    return undefined;
  }
}

let built: Promise<string | undefined> | undefined;

/**
 * The path of the built Go aws-okta, or undefined (with a warning) when Go or the archive is
 * missing and peers are optional. Throws when it is missing and AWS_OKTA_REQUIRE_PEERS=1.
 */
export function goAwsOkta(): Promise<string | undefined> {
  built ??= build();
  return built;
}

async function build(): Promise<string | undefined> {
  const stamp = archiveStamp();
  if (stamp === undefined) {
    const why = `Go aws-okta source archive not found at ${GO_PEER_ARCHIVE}`;
    if (PEERS_REQUIRED) throw new Error(`${why} (AWS_OKTA_REQUIRE_PEERS=1)`);
    console.warn(`warning: ${why}; skipping the tests that compare with it`);
    return undefined;
  }
  const go = requirePeer("go", "apt-get install golang-go");
  if (!go) return undefined;
  await Deno.mkdir(OUT_DIR, { recursive: true });
  using lock = await Deno.open(`${OUT_DIR}/aws-okta-go.lock`, { create: true, write: true });
  await lock.lock(true);
  try {
    if (readStamp() === stamp) return BINARY;
    const work = await Deno.makeTempDir({ dir: OUT_DIR, prefix: "build-" });
    try {
      await run("tar", ["-xzf", GO_PEER_ARCHIVE, "-C", work]);
      const [source] = [...Deno.readDirSync(work)].filter((e) => e.isDirectory).map((e) =>
        `${work}/${e.name}`
      );
      if (!source) throw new Error(`${GO_PEER_ARCHIVE} holds no source folder`);
      await run(go, ["build", "-ldflags=-X main.Version=v1.0.11", "-o", `${BINARY}.tmp`, "."], {
        cwd: source,
        env: {
          GOFLAGS: "-mod=vendor",
          GOPROXY: "off",
          GOCACHE: `${OUT_DIR}/gocache`,
          GOPATH: `${OUT_DIR}/gopath`,
        },
      });
      await Deno.rename(`${BINARY}.tmp`, BINARY);
      await Deno.writeTextFile(STAMP, stamp);
      return BINARY;
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  } finally {
    await lock.unlock();
  }
}

function readStamp(): string | undefined {
  try {
    Deno.statSync(BINARY);
    return Deno.readTextFileSync(STAMP);
  } catch {
    return undefined;
  }
}

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const out = await new Deno.Command(cmd, { args, ...options, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`building Go aws-okta: ${cmd} ${args.join(" ")} failed: ${text}`);
  }
}
