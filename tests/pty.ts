/**
 * A pseudo-terminal for tests where a person would sit at a terminal: python3's `pty` module forks
 * the command as the session leader of a new terminal, then answers each expected text with
 * keystrokes, as a person would.
 *
 * @module
 */

import { requirePeer } from "./peers.ts";

/**
 * python3, or undefined when it is missing (and peers are optional). Python's pty module is
 * POSIX-only, so on Windows there is none to use.
 */
export const PYTHON = Deno.build.os === "windows" ? undefined : requirePeer("python3", "install Python 3");

/** Forks the command on a pty, answers each expected text with keystrokes, prints output and status. */
const DRIVER = `
import json, os, pty, select, sys, time
steps = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
seen = 0
missing = None
def read_some(deadline):
    global out
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk
            return True
    return False
for expect, send in steps:
    deadline = time.time() + 60
    while expect.encode() not in out[seen:]:
        if not read_some(deadline):
            break
    at = out.find(expect.encode(), seen)
    if at < 0:
        missing = expect
        break
    seen = at + len(expect)
    os.write(fd, send.encode())
deadline = time.time() + 120
while read_some(deadline):
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({"output": out.decode("utf-8", "replace"), "code": os.waitstatus_to_exitcode(status), "missing": missing}))
`;

/** What the terminal showed, the exit code, and the first expected text that never appeared. */
export interface PtyResult {
  /** Everything written to the terminal (echoed keystrokes included, CRLF line ends). */
  output: string;
  code: number;
  /** The first expected text that did not appear (its keystrokes were not sent), else null. */
  missing: string | null;
}

/**
 * Runs `command` on a new pty; each step waits for its text to appear, then types its keys.
 * Needs {@linkcode PYTHON}.
 */
export async function runOnPty(
  command: readonly string[],
  steps: readonly (readonly [expect: string, send: string])[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<PtyResult> {
  if (!PYTHON) throw new Error("python3 is needed for pseudo-terminal tests");
  const { stdout, success, stderr } = await new Deno.Command(PYTHON, {
    args: ["-c", DRIVER, JSON.stringify(steps), ...command],
    ...(options.env ? { env: options.env, clearEnv: true } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`pty driver failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}
