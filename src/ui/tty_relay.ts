/**
 * The controlling terminal through /bin/sh, for prompts and progress when stdin, stdout and stderr
 * are all captured (the AWS CLI runs credential_process so; SDKs and Terraform too).
 *
 * Why a shell: Deno treats every path under /dev (but /dev/null and a few others), /proc and /sys
 * as special and opens them only with --allow-all ("NotCapable: Requires all access to
 * "/dev/tty""), which would lift the whole sandbox of the `aws-okta` permission set. That set
 * already allows running programs, so a short-lived `/bin/sh` child (the same session, so the same
 * controlling terminal) opens /dev/tty for each write or answer instead. It costs about a
 * millisecond per prompt, only when one is shown, and nothing on the cache-hit path. Each child
 * lives for one write or one answer: none is left reading the terminal behind our back.
 *
 * The text to show goes in an environment variable (readable only by the same user), never on the
 * command line; answers come back on a pipe.
 *
 * @module
 */

import type { RawLine } from "./raw_input.ts";

/** A terminal reached through short-lived shell children. */
export interface TtyRelay {
  /** Writes `text` to the terminal before returning; false when the terminal is gone. */
  write(text: string): boolean;
  /**
   * Shows `prompt` and reads one line: visible (the terminal echoes and edits it) or, when
   * `secret`, with echo off from before the prompt appears until the line ends (restored on every
   * way out: Enter, Ctrl-C, Ctrl-D, a signal). Ctrl-C and Ctrl-D cancel.
   */
  read(prompt: string, secret: boolean): Promise<RawLine>;
}

const SH = "/bin/sh";
/** The only variables the children get: where stty is, and the text. */
const PATH = "/usr/bin:/bin";
const TEXT = "AWS_OKTA_TTY_TEXT";

/** Exits 0 when /dev/tty opens and is a terminal (there is a controlling terminal). */
const PROBE = "exec </dev/tty && test -t 0";
const WRITE = `exec >/dev/tty || exit 3; printf '%s' "$${TEXT}"`;
/**
 * Fd 3 keeps the pipe to us; the terminal becomes stdin and stdout. Exit 1: end of input; 130:
 * interrupted; 3: no terminal.
 */
const READ = `exec 3>&1 </dev/tty >/dev/tty || exit 3
trap 'exit 130' INT TERM HUP
printf '%s' "$${TEXT}"
IFS= read -r line || exit 1
printf '%s' "$line" >&3`;
const READ_SECRET = `exec 3>&1 </dev/tty >/dev/tty || exit 3
saved=$(stty -g) || exit 3
trap 'stty "$saved"; printf "\\n"' EXIT
trap 'exit 130' INT TERM HUP
stty -echo
printf '%s' "$${TEXT}"
IFS= read -r line || exit 1
printf '%s' "$line" >&3`;

/**
 * The controlling terminal as a relay, or null when there is none (no /bin/sh, no controlling
 * terminal as under CI or a daemon, or running programs is not allowed).
 */
export function openTtyRelay(): TtyRelay | null {
  if (Deno.build.os === "windows") return null;
  try {
    if (!run(PROBE, "").success) return null;
  } catch {
    return null;
  }
  return {
    write(text) {
      try {
        return run(WRITE, text).success;
      } catch {
        return false;
      }
    },
    async read(prompt, secret) {
      const child = new Deno.Command(SH, {
        args: ["-c", secret ? READ_SECRET : READ, "aws-okta"],
        env: { PATH, [TEXT]: prompt },
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      // Ctrl-C reaches the child and us alike (one foreground process group); the child restores
      // the terminal and exits, and we wait for that rather than leave it reading.
      const onSignal = () => {};
      let listening = false;
      try {
        Deno.addSignalListener("SIGINT", onSignal);
        listening = true;
      } catch {
        // Signals unsupported here: the child's exit status still tells.
      }
      try {
        const { code, stdout } = await child.output();
        if (code === 0) return { line: new TextDecoder().decode(stdout) };
        // 1: end of input; 3: the terminal went away. Otherwise interrupted (130) or killed.
        return code === 1 || code === 3 ? { eof: true } : { cancelled: true };
      } finally {
        if (listening) Deno.removeSignalListener("SIGINT", onSignal);
      }
    },
  };
}

function run(script: string, text: string): Deno.CommandOutput {
  return new Deno.Command(SH, {
    args: ["-c", script, "aws-okta"],
    env: { PATH, [TEXT]: text },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).outputSync();
}
