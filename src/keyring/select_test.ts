import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { FileKeyring } from "./file.ts";
import { BACKENDS, fileDir, openKeyring, type OpenKeyringOptions } from "./select.ts";

function env(vars: Record<string, string>): OpenKeyringOptions["env"] {
  return { get: (name) => vars[name] };
}

const noPrompt = (): Promise<string> => Promise.reject(new Error("unexpected prompt"));

Deno.test("BACKENDS lists the names openKeyring accepts", () => {
  assert.deepEqual([...BACKENDS], ["file"]);
});

Deno.test("openKeyring defaults to the file backend in <home>/.aws-okta", async () => {
  for (const backend of [undefined, "", "file"]) {
    const options: OpenKeyringOptions = { home: "/home/u", env: env({}), promptSecret: noPrompt };
    if (backend !== undefined) options.backend = backend;
    const kr = await openKeyring(options);
    assert.ok(kr instanceof FileKeyring);
    assert.equal(kr.backend, "file");
    if (Deno.build.os !== "windows") assert.equal(kr.dir, "/home/u/.aws-okta");
  }
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
      assert.equal(error.hint, "use one of: file");
      assert.equal(error.exitCode, 2);
      return true;
    },
  );
});

Deno.test("the file passphrase comes from AWS_OKTA_FILE_PASSPHRASE, even when empty", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const passphrase of ["", "from env"]) {
      const vars = { AWS_OKTA_FILE_DIR: dir, AWS_OKTA_FILE_PASSPHRASE: passphrase };
      const writer = await openKeyring({ home: "/h", env: env(vars), promptSecret: noPrompt });
      await writer.set({ key: "k", data: new TextEncoder().encode(passphrase || "empty") });
      // A differently-keyed reader proves the env value, not some default, encrypted the item.
      const reader = new FileKeyring({ dir, passphrase: () => Promise.resolve(passphrase) });
      assert.equal(new TextDecoder().decode((await reader.get("k")).data), passphrase || "empty");
    }
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
    const kr = await openKeyring({ home: "/h", env: env({ AWS_OKTA_FILE_DIR: dir }), promptSecret });
    assert.deepEqual(await kr.keys(), []);
    assert.deepEqual(questions, []); // listing needs no passphrase
    await kr.set({ key: "a", data: new Uint8Array([1]) });
    await kr.set({ key: "b", data: new Uint8Array([2]) });
    await kr.get("a");
    assert.deepEqual(questions, [`Enter passphrase to unlock "${dir}": `]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
