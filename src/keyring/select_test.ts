import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { FileKeyring } from "./file.ts";
import { KeyringError } from "./keyring.ts";
import { PassKeyring } from "./pass/pass.ts";
import type { BackendName, BackendStatus } from "./probe.ts";
import { BACKENDS, fileDir, openKeyring, type OpenKeyringOptions } from "./select.ts";

function env(vars: Record<string, string>): OpenKeyringOptions["env"] {
  return { get: (name) => vars[name] };
}

const noPrompt = (): Promise<string> => Promise.reject(new Error("unexpected prompt"));

/** A prober that reports the given statuses (unlisted backends are not usable) and records what it was asked. */
function fakeProber(statuses: Partial<Record<BackendName, Partial<BackendStatus>>>) {
  const asked: string[] = [];
  return {
    asked,
    probe(name: BackendName): Promise<BackendStatus> {
      asked.push(name);
      return Promise.resolve({ name, usable: false, detail: "not here", ...statuses[name] });
    },
    busServices: () => Promise.resolve(undefined),
  };
}

Deno.test("BACKENDS lists the names openKeyring accepts, in aws-okta's order", () => {
  assert.deepEqual([...BACKENDS], ["wincred", "keychain", "secret-service", "kwallet", "pass", "file"]);
});

Deno.test("openKeyring falls back to the file backend in <home>/.aws-okta", async () => {
  for (const backend of [undefined, "", "file"]) {
    const prober = fakeProber({ file: { usable: true } });
    const options: OpenKeyringOptions = { home: "/home/u", env: env({}), promptSecret: noPrompt, prober };
    if (backend !== undefined) options.backend = backend;
    const kr = await openKeyring(options);
    assert.ok(kr instanceof FileKeyring);
    assert.equal(kr.backend, "file");
    if (Deno.build.os !== "windows") assert.equal(kr.dir, "/home/u/.aws-okta");
    // An explicit "file" needs no probing at all.
    assert.deepEqual(prober.asked, backend === "file" ? [] : [...BACKENDS]);
  }
});

Deno.test("with no backend chosen, the first usable one in aws-okta's order wins", async () => {
  const prober = fakeProber({ pass: { usable: true, detail: "store" }, file: { usable: true } });
  const debug: string[] = [];
  const kr = await openKeyring({
    home: "/home/u",
    env: env({ PASSWORD_STORE_DIR: "/srv/pass" }),
    promptSecret: noPrompt,
    prober,
    debug: (line) => debug.push(line),
  });
  assert.ok(kr instanceof PassKeyring);
  // Go aws-okta's place: the top of the store.
  assert.equal(kr.entryName("okta-creds"), "okta-creds");
  assert.deepEqual(prober.asked, ["wincred", "keychain", "secret-service", "kwallet", "pass"]);
  assert.equal(debug.at(-1), "keyring: pass: usable (store)");
});

Deno.test(
  { name: "AWS_OKTA_PASS_PREFIX changes where pass entries go", ignore: Deno.build.os === "windows" },
  async () => {
    const store = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${store}/.gpg-id`, "someone@example.com\n");
      const kr = await openKeyring({
        backend: "pass",
        home: "/home/u",
        env: env({ AWS_OKTA_PASS_PREFIX: "team/aws/", PASSWORD_STORE_DIR: store }),
        promptSecret: noPrompt,
      });
      assert.ok(kr instanceof PassKeyring);
      assert.equal(kr.entryName("okta-creds"), "team/aws/okta-creds");
    } finally {
      await Deno.remove(store, { recursive: true });
    }
  },
);

Deno.test("a named pass backend needs its store only: no probe, no pass command on PATH", async () => {
  const store = await Deno.makeTempDir();
  const prober = fakeProber({});
  try {
    if (Deno.build.os === "windows") {
      await assert.rejects(
        openKeyring({
          backend: "pass",
          home: "/h",
          env: env({ PASSWORD_STORE_DIR: store }),
          promptSecret: noPrompt,
        }),
        (error: unknown) =>
          error instanceof KeyringError &&
          error.message === "pass keyring unavailable: not available on Windows",
      );
      return;
    }
    await assert.rejects(
      openKeyring({ backend: "pass", home: "/h", env: env({ PATH: "" }), promptSecret: noPrompt, prober }),
      (error: unknown) => {
        assert.ok(error instanceof KeyringError);
        assert.equal(error.message, `pass keyring unavailable: no password store in "/h/.password-store"`);
        assert.equal(error.hint, `run "pass init <gpg-id>" or set PASSWORD_STORE_DIR`);
        return true;
      },
    );
    await Deno.writeTextFile(`${store}/.gpg-id`, "someone@example.com\n");
    const kr = await openKeyring({
      backend: "pass",
      home: "/h",
      env: env({ PATH: "", PASSWORD_STORE_DIR: store }),
      promptSecret: noPrompt,
      prober,
    });
    assert.ok(kr instanceof PassKeyring);
    assert.deepEqual(prober.asked, []);
  } finally {
    await Deno.remove(store, { recursive: true });
  }
});

Deno.test("a hung session bus stops the search with an error naming --backend file", async () => {
  const prober = fakeProber({
    "secret-service": {
      hung: true,
      detail: `D-Bus session bus "unix:path=/x" did not answer within 3000 ms`,
    },
    file: { usable: true },
  });
  await assert.rejects(
    openKeyring({ home: "/h", env: env({}), promptSecret: noPrompt, prober }),
    (error: unknown) => {
      assert.ok(error instanceof KeyringError);
      assert.equal(
        error.message,
        `secret-service keyring unavailable: D-Bus session bus "unix:path=/x" did not answer within 3000 ms`,
      );
      assert.match(error.hint ?? "", /--backend file/);
      assert.equal(error.exitCode, 1);
      return true;
    },
  );
  assert.deepEqual(prober.asked, ["wincred", "keychain", "secret-service"]);
});

Deno.test("a chosen backend that is not usable here is an error with its reason and hint", async () => {
  const prober = fakeProber({
    kwallet: { detail: "no KWallet daemon on the session bus", hint: "start kwalletd" },
  });
  await assert.rejects(
    openKeyring({ backend: "kwallet", home: "/h", env: env({}), promptSecret: noPrompt, prober }),
    (error: unknown) => {
      assert.ok(error instanceof KeyringError);
      assert.equal(error.message, `kwallet keyring unavailable: no KWallet daemon on the session bus`);
      assert.equal(error.hint, "start kwalletd");
      return true;
    },
  );
  assert.deepEqual(prober.asked, ["kwallet"]);
});

Deno.test("fileDir honours AWS_OKTA_FILE_DIR, expanding a leading '~'", () => {
  assert.equal(fileDir({ home: "/h", env: env({ AWS_OKTA_FILE_DIR: "/srv/keys" }) }), "/srv/keys");
  assert.equal(fileDir({ home: "/h", env: env({ AWS_OKTA_FILE_DIR: "~/keys" }) }), "/h/keys");
  assert.equal(fileDir({ home: "/h", env: env({ AWS_OKTA_FILE_DIR: "~" }) }), "/h");
  assert.equal(fileDir({ home: "/h", env: env({ AWS_OKTA_FILE_DIR: "" }) }).endsWith(".aws-okta"), true);
});

Deno.test("an unknown backend is a usage error listing the known ones", async () => {
  await assert.rejects(
    openKeyring({ backend: "keychain2", home: "/h", env: env({}), promptSecret: noPrompt }),
    (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.message, `unknown keyring backend "keychain2"`);
      assert.equal(error.hint, "use one of: wincred, keychain, secret-service, kwallet, pass, file");
      assert.equal(error.exitCode, 2);
      return true;
    },
  );
});

Deno.test("the file passphrase comes from AWS_OKTA_FILE_PASSPHRASE, with no prompt", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const passphrase = "from env";
    const vars = { AWS_OKTA_FILE_DIR: dir, AWS_OKTA_FILE_PASSPHRASE: passphrase };
    const writer = await openKeyring({ backend: "file", home: "/h", env: env(vars), promptSecret: noPrompt });
    await writer.set({ key: "k", data: new TextEncoder().encode("value") });
    // A differently-keyed reader proves the env value, not some default, encrypted the item.
    const reader = new FileKeyring({ dir, passphrase: () => Promise.resolve(passphrase) });
    assert.equal(new TextDecoder().decode((await reader.get("k")).data), "value");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without AWS_OKTA_FILE_PASSPHRASE, one hidden prompt names the directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const questions: string[] = [];
    const promptSecret = (question: string) => {
      questions.push(question);
      return Promise.resolve("typed");
    };
    const kr = await openKeyring({
      backend: "file",
      home: "/h",
      env: env({ AWS_OKTA_FILE_DIR: dir }),
      promptSecret,
    });
    assert.deepEqual(await kr.keys(), []);
    assert.deepEqual(questions, []); // listing needs no passphrase
    await kr.set({ key: "a", data: new Uint8Array([1]) });
    await kr.set({ key: "b", data: new Uint8Array([2]) });
    await kr.get("a");
    // A new keyring: the passphrase is typed twice.
    assert.deepEqual(questions, [
      `Choose a passphrase for the new keyring "${dir}": `,
      "Repeat the passphrase: ",
    ]);
    questions.length = 0;
    const existing = await openKeyring({
      backend: "file",
      home: "/h",
      env: env({ AWS_OKTA_FILE_DIR: dir }),
      promptSecret,
    });
    await existing.set({ key: "c", data: new Uint8Array([3]) });
    assert.deepEqual(questions, [`Enter passphrase to unlock "${dir}": `]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the file passphrase is never empty, and a new keyring's is typed the same twice", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = (vars: Record<string, string>, answers: string[]) =>
      openKeyring({
        backend: "file",
        home: "/h",
        env: env({ AWS_OKTA_FILE_DIR: dir, ...vars }),
        promptSecret: () => Promise.resolve(answers.shift() ?? "unexpected prompt"),
      });
    const cases: [Record<string, string>, string[], string, string][] = [
      [{ AWS_OKTA_FILE_PASSPHRASE: "" }, [], "AWS_OKTA_FILE_PASSPHRASE is empty", "unset it to be asked"],
      [{}, [""], "the file keyring's passphrase cannot be empty", "type a passphrase"],
      [{}, ["one", "other"], "the two passphrases differ", "run the command again"],
    ];
    for (const [vars, answers, message, hint] of cases) {
      const kr = await open(vars, answers);
      const error = await kr.set({ key: "a", data: new Uint8Array([1]) }).catch((e) => e);
      assert.ok(error instanceof KeyringError, String(error));
      assert.equal(error.message, message);
      assert.match(error.hint ?? "", new RegExp(hint));
      assert.deepEqual(await kr.keys(), [], "nothing written");
    }
    // An existing keyring: an empty answer to the unlock question is refused too.
    await (await open({}, ["pass", "pass"])).set({ key: "a", data: new Uint8Array([1]) });
    const error = await (await open({}, [""])).get("a").catch((e) => e);
    assert.equal(error.message, "the file keyring's passphrase cannot be empty");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
