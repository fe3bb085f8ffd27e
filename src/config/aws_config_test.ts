import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { type AwsConfig, configPath, loadAwsConfig, loadAwsConfigSync } from "./aws_config.ts";
import { ConfigError } from "./config_error.ts";

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

Deno.test("profile mapping agrees with the SDK's config-file view on every fixture", async () => {
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
    const ours: Record<string, Record<string, string>> = {};
    for (const name of config.profileNames()) {
      const section = config.sections.find((s) =>
        s.values === config.profile(name) && (s.type === "profile" || s.key === "default")
      );
      assert.ok(section, `${entry.name}: no section for "${name}"`);
      const flat: Record<string, string> = { ...section.values };
      for (const [sub, values] of Object.entries(section.subsections)) {
        for (const [key, value] of Object.entries(values)) flat[`${sub}.${key}`] = value;
      }
      if (Object.keys(flat).length > 0) ours[name] = flat;
    }
    for (const key of Object.keys(sdk)) if (/^(sso-session|services)\./.test(key)) delete sdk[key];
    assert.deepStrictEqual(ours, sdk, entry.name);
  }
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

Deno.test("sections the SDK does not read as profiles are not profiles", async () => {
  await withFile(
    "[ default ]\na = 1\n[profile  spaced ]\nb = 2\n[dev]\nc = 3\n[sso-session s]\nd = 4\n",
    (path) => {
      const config = loadAwsConfigSync(path);
      assert.deepStrictEqual(config.profileNames(), []);
      for (const name of ["default", "spaced", " spaced ", "dev", "s"]) {
        assert.equal(
          config.profile(name),
          undefined,
        );
      }
    },
  );
});
