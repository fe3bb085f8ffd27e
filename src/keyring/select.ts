/**
 * Picks and opens a keyring backend. Each backend module is imported only when chosen, so a process
 * loads the code (and, for OS backends, the FFI bindings) of one backend only; the file backend on
 * its own loads no probe code at all.
 *
 * With no backend chosen, the first usable one in aws-okta's order wins (wincred, keychain,
 * secret-service, kwallet, pass, file). A session bus that accepts connections but does not answer
 * stops the search with an error naming `--backend file`, rather than costing every call a timeout.
 *
 * @module
 */

import { AppError } from "../errors.ts";
import type { Keyring } from "./keyring.ts";
import { KeyringError } from "./keyring.ts";
// The file backend is the default and the fallback, and has no FFI: static, to keep the cache hit to
// one module-loading round. OS backends stay lazy.
import { FileKeyring, type PassphrasePurpose } from "./file.ts";
import type { BackendProber, BackendStatus } from "./probe.ts";
import type { EnvReader } from "../env.ts";

/** The backend names the CLI accepts (`--backend`), in aws-okta's (99designs/keyring's) order of preference. */
export const BACKENDS = ["wincred", "keychain", "secret-service", "kwallet", "pass", "file"] as const;

/** A backend name the CLI accepts. */
export type BackendName = typeof BACKENDS[number];

/** The backend used when none is usable or chosen. */
export const DEFAULT_BACKEND = "file";

/** Options for {@linkcode openKeyring}. */
export interface OpenKeyringOptions {
  /** The chosen backend; the first usable one when undefined or empty. */
  backend?: string;
  /** The user's home directory. */
  home: string;
  /** Environment variables (AWS_OKTA_FILE_DIR, AWS_OKTA_FILE_PASSPHRASE, AWS_OKTA_PASS_PREFIX, ...). */
  env: EnvReader;
  /** Asks for a secret without echo (the file backend's passphrase). */
  promptSecret: (question: string) => Promise<string>;
  /** Receives redacted debug lines (which backend was picked and why). */
  debug?: (line: string) => void;
  /** Replaces the availability probes (tests). */
  prober?: Prober;
}

type Prober =
  & Pick<BackendProber, "probe" | "busServices">
  & Partial<Pick<BackendProber, "takeConnection" | "close">>;

/** Opens the chosen keyring, or the first usable one; an unknown name is a usage error (exit code 2). */
export async function openKeyring(options: OpenKeyringOptions): Promise<Keyring> {
  const chosen = options.backend;
  if (chosen) {
    if (!(BACKENDS as readonly string[]).includes(chosen)) {
      throw new AppError(`unknown keyring backend "${chosen}"`, {
        hint: `use one of: ${BACKENDS.join(", ")}`,
        exitCode: 2,
      });
    }
    if (chosen === "file") return openFile(options);
    if (chosen === "pass") {
      // Named: no prober. Its module and the PATH search cost ~4 ms of a cache hit, and a read
      // needs only the store (entries are decrypted here or by gpg). Without the pass command,
      // the first write says so, with the same hint.
      const status = passStoreStatus(options);
      if (!status.usable) throw unusable(status);
      return await openPass(options);
    }
  }
  const prober = await proberFor(options);
  try {
    if (chosen) {
      const status = await prober.probe(chosen as BackendName);
      if (!status.usable) throw unusable(status);
      return await openBackend(status.name, options, prober);
    }
    for (const name of BACKENDS) {
      const status = await prober.probe(name);
      options.debug?.(`keyring: ${name}: ${status.usable ? "usable" : "not usable"} (${status.detail})`);
      if (status.hung) throw unusable(status);
      if (status.usable) return await openBackend(name, options, prober);
    }
    return openFile(options);
  } finally {
    await prober.close?.();
  }
}

async function proberFor(options: OpenKeyringOptions): Promise<Prober> {
  if (options.prober) return options.prober;
  const { BackendProber } = await import("./probe.ts");
  return new BackendProber({ home: options.home, env: options.env });
}

function unusable(status: BackendStatus): KeyringError {
  return new KeyringError(`${status.name} keyring unavailable: ${status.detail}`, {
    hint: status.hint ?? "use --backend file (or AWS_OKTA_BACKEND=file)",
  });
}

async function openBackend(
  name: BackendName,
  options: OpenKeyringOptions,
  prober: Prober,
): Promise<Keyring> {
  switch (name) {
    case "file":
      return openFile(options);
    case "secret-service": {
      // Reads go over the connection the probe made; libsecret loads only when a write needs it.
      const connection = await prober.takeConnection?.();
      const { SecretServiceKeyring } = await import("./secret_service.ts");
      if (connection) return SecretServiceKeyring.open({ connection });
      const services = await prober.busServices();
      return SecretServiceKeyring.open({ address: services?.address ?? "" });
    }
    case "keychain": {
      const { KeychainKeyring } = await import("./macos/keychain.ts");
      return KeychainKeyring.open();
    }
    case "wincred": {
      const { WincredKeyring } = await import("./windows/wincred.ts");
      return WincredKeyring.open();
    }
    case "pass":
      return await openPass(options);
    case "kwallet": {
      const services = await prober.busServices();
      if (!services?.kwallet) throw new KeyringError("kwallet keyring unavailable: no KWallet daemon");
      const { KWalletKeyring } = await import("./kwallet.ts");
      return KWalletKeyring.open({ address: services.address, service: services.kwallet });
    }
  }
}

async function openPass(options: OpenKeyringOptions): Promise<Keyring> {
  const { PassKeyring } = await import("./pass/pass.ts");
  return new PassKeyring({
    storeDir: passStoreDir(options),
    prefix: options.env.get("AWS_OKTA_PASS_PREFIX") ?? "",
    processEnv: options.env,
    agentCacheFile: `${
      options.env.get("XDG_CACHE_HOME") || `${options.home}/.cache`
    }/aws-okta/gpg-agent.json`,
    kernelCache: !/^(0|false|off|no)$/i.test(options.env.get("AWS_OKTA_PASS_KERNEL_CACHE") ?? ""),
  });
}

function openFile(options: OpenKeyringOptions): Keyring {
  const dir = fileDir(options);
  return new FileKeyring({ dir, passphrase: (purpose) => filePassphrase(options, dir, purpose) });
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

/**
 * AWS_OKTA_FILE_PASSPHRASE when set, else a hidden prompt: once to unlock, twice (typed and
 * repeated) to create a keyring, since a typo there would lock its items away. Never empty: an
 * empty passphrase would leave the Okta password readable by anyone who can read the files.
 */
async function filePassphrase(
  options: OpenKeyringOptions,
  dir: string,
  purpose: PassphrasePurpose,
): Promise<string> {
  const fromEnv = options.env.get("AWS_OKTA_FILE_PASSPHRASE");
  if (fromEnv !== undefined) {
    if (fromEnv === "") {
      throw new KeyringError("AWS_OKTA_FILE_PASSPHRASE is empty", {
        reason: "passphrase",
        hint: "set it to the file keyring's passphrase, or unset it to be asked",
      });
    }
    return fromEnv;
  }
  const empty = () =>
    new KeyringError("the file keyring's passphrase cannot be empty", {
      reason: "passphrase",
      hint: "type a passphrase, or set AWS_OKTA_FILE_PASSPHRASE",
    });
  if (purpose === "unlock") {
    const typed = await options.promptSecret(`Enter passphrase to unlock "${dir}": `);
    if (typed === "") throw empty();
    return typed;
  }
  const typed = await options.promptSecret(`Choose a passphrase for the new keyring "${dir}": `);
  if (typed === "") throw empty();
  const repeated = await options.promptSecret("Repeat the passphrase: ");
  if (repeated !== typed) {
    throw new KeyringError("the two passphrases differ", {
      reason: "passphrase",
      hint: "run the command again",
    });
  }
  return typed;
}

/**
 * Whether the password store is set up (`pass init` wrote its .gpg-id), as the pass probe and a
 * named pass backend see it.
 */
export function passStoreStatus(
  options: Pick<OpenKeyringOptions, "home" | "env">,
  os: string = Deno.build.os,
): BackendStatus {
  if (os === "windows") return { name: "pass", usable: false, detail: "not available on Windows" };
  const dir = passStoreDir(options);
  try {
    Deno.statSync(`${dir}/.gpg-id`);
  } catch {
    return {
      name: "pass",
      usable: false,
      detail: `no password store in "${dir}"`,
      hint: `run "pass init <gpg-id>" or set PASSWORD_STORE_DIR`,
    };
  }
  return { name: "pass", usable: true, detail: `password store "${dir}"` };
}

/** PASSWORD_STORE_DIR, else `<home>/.password-store` (as `pass` itself). */
export function passStoreDir(options: Pick<OpenKeyringOptions, "home" | "env">): string {
  return options.env.get("PASSWORD_STORE_DIR") || `${options.home.replace(/\/+$/, "")}/.password-store`;
}
