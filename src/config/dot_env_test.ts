import assert from "node:assert/strict";
import { parseDotEnv, withDotEnv } from "./dot_env.ts";

const none = { get: (_: string) => undefined };

Deno.test("dotenv: gotenv's line syntax (export, = or :, comments, quotes, escapes)", () => {
  const text = [
    "\ufeff# a comment",
    "",
    "PLAIN=value",
    "SPACED = spaced value   # trailing comment",
    "export EXPORTED=yes",
    "COLON: colon value",
    "SINGLE='literal $HOME \\n'",
    'DOUBLE="line\\nbreak \\"quoted\\" \\\\ back"',
    'MULTI="first',
    'second"',
    "EMPTY=",
    "DOTTED.KEY=dot",
  ].join("\r\n");
  assert.deepEqual(parseDotEnv(text, none), {
    PLAIN: "value",
    SPACED: "spaced value",
    EXPORTED: "yes",
    COLON: "colon value",
    SINGLE: "literal $HOME \\n",
    DOUBLE: 'line\nbreak "quoted" \\ back',
    MULTI: "first\nsecond",
    EMPTY: "",
    "DOTTED.KEY": "dot",
  });
});

Deno.test("dotenv: $VAR and ${VAR} expand from the environment, then earlier keys; \\$ and single quotes keep them", () => {
  const env = { get: (name: string) => (name === "HOME" ? "/home/a" : undefined) };
  assert.deepEqual(parseDotEnv("BASE=x\nA=$HOME/.okta\nB=${BASE}-y\nC=\\$HOME\nD='$HOME'\nE=$NOPE.", env), {
    BASE: "x",
    A: "/home/a/.okta",
    B: "x-y",
    C: "$HOME",
    D: "$HOME",
    E: ".",
  });
});

Deno.test("dotenv: what gotenv's strict parser refuses throws (okta-aws-cli then ignores the file)", () => {
  assert.throws(() => parseDotEnv('A="unclosed', none), /missing quotes/);
  assert.throws(() => parseDotEnv("just words", none), /doesn't match format/);
});

Deno.test("dotenv: behind the environment, names matched case-insensitively; AWS_REGION promoted", async () => {
  const dir = await Deno.makeTempDir();
  const before = Deno.env.get("AWS_REGION");
  try {
    Deno.env.delete("AWS_REGION");
    await Deno.writeTextFile(
      `${dir}/.env`,
      "okta_awscli_org_domain=from-file\nOKTA_AWSCLI_PROFILE=file\nAWS_REGION=eu-west-3\n",
    );
    const env = await withDotEnv({
      get: (name: string) => (name === "OKTA_AWSCLI_PROFILE" ? "env" : undefined),
    }, dir);
    assert.equal(env.get("OKTA_AWSCLI_ORG_DOMAIN"), "from-file");
    assert.equal(env.get("OKTA_AWSCLI_PROFILE"), "env", "the environment wins");
    assert.equal(env.get("OKTA_AWSCLI_FORMAT"), undefined);
    const empty = await withDotEnv({
      get: (name: string) => (name === "OKTA_AWSCLI_ORG_DOMAIN" ? "" : undefined),
    }, dir);
    assert.equal(empty.get("OKTA_AWSCLI_ORG_DOMAIN"), "from-file", "an empty variable counts as unset");
    assert.equal(Deno.env.get("AWS_REGION"), "eu-west-3");
    // A file that does not parse is ignored whole; no file changes nothing.
    await Deno.writeTextFile(`${dir}/.env`, "OKTA_AWSCLI_ORG_DOMAIN=x\nbroken line\n");
    assert.equal((await withDotEnv(none, dir)).get("OKTA_AWSCLI_ORG_DOMAIN"), undefined);
    assert.equal(await withDotEnv(none, `${dir}/missing`), none);
  } finally {
    if (before === undefined) Deno.env.delete("AWS_REGION");
    else Deno.env.set("AWS_REGION", before);
    await Deno.remove(dir, { recursive: true });
  }
});
