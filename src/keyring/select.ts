/**
 * Picks and opens a keyring backend by name. Each backend module is imported only when chosen, so
 * a process loads the code (and, for OS backends, the FFI bindings) of one backend only.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Keyring } from "./keyring.ts";

/** The backend names the CLI accepts (`--backend`). */
export const BACKENDS: readonly string[] = ["file"];

/** The backend used when none is chosen. */
export const DEFAULT_BACKEND = "file";

/** Options for {@linkcode openKeyring}. */
export interface OpenKeyringOptions {
  /** The chosen backend; {@linkcode DEFAULT_BACKEND} when undefined or empty. */
  backend?: string;
  /** The user's home directory. */
  home: string;
  /** Environment variables (AWS_OKTA_FILE_DIR, AWS_OKTA_FILE_PASSPHRASE). */
  env: { get(name: string): string | undefined };
  /** Asks for a secret without echo (the file backend's passphrase). */
  promptSecret: (question: string) => Promise<string>;
}

/** Opens the chosen keyring; an unknown name is a usage error (exit code 2). */
export async function openKeyring(options: OpenKeyringOptions): Promise<Keyring> {
  const backend = options.backend || DEFAULT_BACKEND;
  switch (backend) {
    case "file": {
      const { FileKeyring } = await import("./file.ts");
      const dir = fileDir(options);
      return new FileKeyring({ dir, passphrase: () => filePassphrase(options, dir) });
    }
    default:
      throw new AppError(`unknown keyring backend "${backend}"`, {
        hint: `use one of: ${BACKENDS.join(", ")}`,
        exitCode: 2,
      });
  }
}

/** AWS_OKTA_FILE_DIR (a leading "~" means the home directory), else `<home>/.aws-okta`. */
export function fileDir(options: Pick<OpenKeyringOptions, "home" | "env">): string {
  const explicit = options.env.get("AWS_OKTA_FILE_DIR");
  if (explicit) {
    if (explicit === "~") return options.home;
    if (explicit.startsWith("~/") || explicit.startsWith("~\\")) return `${options.home}${explicit.slice(1)}`;
    return explicit;
  }
  const separator = Deno.build.os === "windows" ? "\\" : "/";
  const home = options.home.replace(/[/\\]+$/, "");
  return `${home}${separator}.aws-okta`;
}

/** AWS_OKTA_FILE_PASSPHRASE when set, even to "" (as aws-vault), else one hidden prompt. */
function filePassphrase(options: OpenKeyringOptions, dir: string): Promise<string> {
  const fromEnv = options.env.get("AWS_OKTA_FILE_PASSPHRASE");
  if (fromEnv !== undefined) return Promise.resolve(fromEnv);
  return options.promptSecret(`Enter passphrase to unlock "${dir}": `);
}
