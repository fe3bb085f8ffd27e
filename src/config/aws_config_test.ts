import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import {
  type AwsConfig,
  configPath,
  loadAwsConfig,
  loadAwsConfigSync,
  parseAwsConfig,
  shellWords,
} from "./aws_config.ts";
import { ConfigError } from "./config_error.ts";
import { requirePythonModule } from "../../tests/peers.ts";

const FIXTURES = new URL("../../tests/fixtures/ini/", import.meta.url);

function envOf(values: Record<string, string>) {
  return { get: (name: string) => values[name] };
}

Deno.test("configPath uses AWS_CONFIG_FILE, expanding ~, else <home>/.aws/config", () => {
  assert.equal(configPath(envOf({}), "/home/u"), "/home/u/.aws/config");
  assert.equal(configPath(envOf({}), "/home/u/"), "/home/u/.aws/config");
  assert.equal(configPath(envOf({ AWS_CONFIG_FILE: "" }), "/home/u"), "/home/u/.aws/config");
  assert.equal(configPath(envOf({ AWS_CONFIG_FILE: "/etc/aws.ini" }), "/home/u"), "/etc/aws.ini");
  assert.equal(configPath(envOf({ AWS_CONFIG_FILE: "~/cfg/aws" }), "/home/u"), "/home/u/cfg/aws");
  assert.equal(configPath(envOf({ AWS_CONFIG_FILE: "~" }), "/home/u"), "/home/u");
  assert.equal(configPath(envOf({ AWS_CONFIG_FILE: "~other/x" }), "/home/u"), "~other/x");
  assert.equal(configPath(envOf({ AWS_CONFIG_FILE: "rel/config" }), "/home/u"), "rel/config");
  assert.equal(configPath(envOf({}), "C:\\Users\\u"), "C:\\Users\\u\\.aws\\config");
});

async function withFile<T>(text: string, run: (path: string) => T | Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-config-" });
  try {
    const path = `${dir}/config`;
    await Deno.writeTextFile(path, text);
    return await run(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const loaders: [string, (path: string) => Promise<AwsConfig>][] = [
  ["loadAwsConfig", loadAwsConfig],
  // deno-lint-ignore require-await
  ["loadAwsConfigSync", async (path) => loadAwsConfigSync(path)],
];

for (const [label, load] of loaders) {
  Deno.test(`${label}: a missing file is an empty config, not an error`, async () => {
    const config = await load("/nonexistent/aws-okta/config");
    assert.equal(config.exists, false);
    assert.equal(config.path, "/nonexistent/aws-okta/config");
    assert.deepStrictEqual(config.sections, []);
    assert.deepStrictEqual(config.profileNames(), []);
    assert.equal(config.profile("default"), undefined);
    assert.deepStrictEqual({ ...config.okta }, {});
  });

  Deno.test(`${label}: an unreadable path is a ConfigError naming the file`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "aws-okta-config-" });
    try {
      await assert.rejects(() => load(dir), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, `cannot read "${dir}": is a directory`);
        return true;
      });
    } finally {
      await Deno.remove(dir);
    }
  });

  Deno.test(`${label}: a parse error names the file and line`, async () => {
    await withFile("[profile a]\nx = 1\n\n[__proto__]\n", async (path) => {
      await assert.rejects(() => load(path), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, `cannot parse "${path}" line 4: invalid section name "__proto__"`);
        return true;
      });
    });
  });

  Deno.test(`${label}: reads profiles and [okta]`, async () => {
    await withFile(
      "[okta]\naws_saml_url = home/x\n[profile dev]\nregion = r\n[profile okta]\n",
      async (path) => {
        const config = await load(path);
        assert.equal(config.exists, true);
        assert.equal(config.okta["aws_saml_url"], "home/x");
        assert.deepStrictEqual({ ...config.profile("dev") }, { region: "r" });
        assert.deepStrictEqual({ ...config.profile("okta") }, {});
        assert.deepStrictEqual(config.profileNames(), ["dev", "okta"]);
        assert.equal(config.sections.length, 3);
      },
    );
  });
}

/** A section's keys and flattened sub-sections, key names folded as the AWS CLI folds them. */
function folded(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) out[key.toLowerCase()] = value;
  return out;
}

Deno.test("every profile the SDK reads from a fixture is ours too, with the same keys (names folded)", async () => {
  for await (const entry of Deno.readDir(FIXTURES)) {
    if (!entry.isFile || entry.name.startsWith("error_")) continue;
    const path = fileURLToPath(new URL(entry.name, FIXTURES));
    const config = loadAwsConfigSync(path);
    const { configFile } = await loadSharedConfigFiles({
      filepath: "/nonexistent/aws-okta-test-credentials",
      configFilepath: path,
      ignoreCache: true,
    });
    const sdk: Record<string, Record<string, string>> = JSON.parse(JSON.stringify(configFile));
    for (const [name, values] of Object.entries(sdk)) {
      if (/^(sso-session|services)\./.test(name)) continue;
      const section = config.sections.find((s) =>
        name === "default" ? s.key === "default" || s.key === "profile.default" : s.key === `profile.${name}`
      );
      const ours: Record<string, string> = { ...config.profile(name) };
      for (const [sub, subValues] of Object.entries(section?.subsections ?? {})) {
        for (const [key, value] of Object.entries(subValues)) ours[`${sub}.${key}`] = value;
      }
      assert.deepStrictEqual(folded(ours), folded(values), `${entry.name}: profile "${name}"`);
    }
  }
});

// The AWS CLI (botocore's configloader, in the pyenv Python) on headers and key names.
const BOTOCORE_LOAD = `
import json, sys, tempfile, botocore.configloader as c
out = []
for text in json.loads(sys.stdin.read()):
    with tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False, encoding="utf-8") as f:
        f.write(text)
    try:
        profiles = c.load_config(f.name)["profiles"]
        out.append({n: {k: v for k, v in p.items() if isinstance(v, str)} for n, p in profiles.items()})
    except Exception:
        out.append(None)
print(json.dumps(out))
`;

async function botocoreProfiles(texts: string[]): Promise<(Record<string, Record<string, string>> | null)[]> {
  const child = new Deno.Command(BOTOCORE_PYTHON!, {
    args: ["-c", BOTOCORE_LOAD],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(texts)));
  await writer.close();
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `python3 with botocore is needed (pyenv python has it): ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

const BOTOCORE_CASES = [
  "[profile prød]\nregion = eu-west-1\n",
  "[profile 日本]\nregion = ap-northeast-1\n",
  '[profile "my prof"]\nRole_Arn = arn:aws:iam::1:role/x\nREGION = us-east-1\n',
  "[profile 'single quoted']\nregion = a\n",
  "[profile  spaced ]\nregion = b\n",
  '[profile "esc \\" quote"]\nregion = c\n',
  "[profile a\\ b]\nregion = c2\n",
  "[default]\nRegion = e\nSource_Profile = x\n",
  "[profile café]\nMfa_Provider = OKTA\nmfa_factor_type = push\n",
  "[profile a]\nregion = f\n[profile 'b c']\nregion = g\n[profile d]\nOKTA_AWS_ROLE_ARN = arn:h\n",
];

const BOTOCORE_PYTHON = await requirePythonModule("botocore", "pip install botocore (pyenv python has it)");

Deno.test({
  name: "profiles and key names read as the AWS CLI (botocore) reads them",
  ignore: BOTOCORE_PYTHON === undefined,
}, async () => {
  // Headers and key names only: lines are read as the SDK reads them, which botocore does not
  // (it keeps inline comments, splits keys at ":" and lines at a lone CR, reads `[a]#x` as [a]).
  const results = await botocoreProfiles(BOTOCORE_CASES);
  for (const [index, text] of BOTOCORE_CASES.entries()) {
    const boto = results[index];
    assert.ok(boto && Object.keys(boto).length > 0, `botocore reads no profile from ${JSON.stringify(text)}`);
    const config = parseAwsConfig(text, "config");
    for (const [name, values] of Object.entries(boto)) {
      assert.deepStrictEqual(
        { ...config.profile(name) },
        values,
        `profile "${name}" of ${JSON.stringify(text)}`,
      );
    }
  }
});

Deno.test("Go aws-okta's [x] sections are profiles unless [profile x] exists; [okta] never is", () => {
  const config = parseAwsConfig(
    "[okta]\naws_saml_url = home/x\n[dev]\nregion = go\n[both]\nregion = go\n[profile both]\nregion = cli\n" +
      "[ spaced ]\nregion = trimmed\n[profile a b]\nregion = go-prefix\n[sso-session s]\nx = 1\n",
    "config",
  );
  assert.deepStrictEqual(config.profileNames(), ["dev", "both", "spaced", "a b"]);
  assert.equal(config.profile("dev")?.["region"], "go");
  assert.equal(config.profile("both")?.["region"], "cli");
  assert.equal(config.profile("spaced")?.["region"], "trimmed");
  assert.equal(config.profile("a b")?.["region"], "go-prefix");
  assert.equal(config.profile("okta"), undefined);
  assert.equal(config.profile("s"), undefined);
});

Deno.test("shellWords splits as Python's shlex.split", () => {
  assert.deepStrictEqual(shellWords(`profile "my prof"`), ["profile", "my prof"]);
  assert.deepStrictEqual(shellWords(`profile 'a "b'`), ["profile", 'a "b']);
  assert.deepStrictEqual(shellWords(`profile "a \\" \\\\ \\x"`), ["profile", 'a " \\ \\x']);
  assert.deepStrictEqual(shellWords(`profile a\\ b`), ["profile", "a b"]);
  assert.deepStrictEqual(shellWords(`  profile\tx  `), ["profile", "x"]);
  assert.deepStrictEqual(shellWords(`profile ''`), ["profile", ""]);
  assert.equal(shellWords(`profile "open`), undefined);
  assert.equal(shellWords(`profile x\\`), undefined);
});

Deno.test("a non-empty [profile default] replaces [default]; an empty one does not", async () => {
  await withFile("[default]\na = 1\n[profile default]\nb = 2\n", (path) => {
    const config = loadAwsConfigSync(path);
    assert.deepStrictEqual({ ...config.profile("default") }, { b: "2" });
    assert.deepStrictEqual(config.profileNames(), ["default"]);
  });
  await withFile("[profile default]\n[default]\na = 1\n", (path) => {
    assert.deepStrictEqual({ ...loadAwsConfigSync(path).profile("default") }, { a: "1" });
  });
});

Deno.test("sections neither the SDK, the AWS CLI nor Go aws-okta reads as profiles are not profiles", async () => {
  await withFile(
    '[okta]\na = 1\n[sso-session s]\nd = 4\n[services x]\ne = 5\n[sso-session "a b"]\nf = 6\n',
    (path) => {
      const config = loadAwsConfigSync(path);
      assert.deepStrictEqual(config.profileNames(), []);
      for (const name of ["okta", "s", "x", "a b"]) assert.equal(config.profile(name), undefined);
    },
  );
});
