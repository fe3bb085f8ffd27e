import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import fc from "fast-check";
import { externalDataInterceptor, loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { type IniSection, parseIni, sectionId, stripComment } from "./ini.ts";
import { ConfigError } from "./config_error.ts";

const FIXTURES = new URL("../../tests/fixtures/ini/", import.meta.url);
type Raw = Record<string, Record<string, string>>;

/** Our sections in the SDK's raw shape (what it returns for a credentials file). */
function toSdkRaw(sections: IniSection[]): Raw {
  const raw: Raw = {};
  for (const section of sections) {
    const flat: Record<string, string> = { ...section.values };
    for (const [sub, values] of Object.entries(section.subsections)) {
      for (const [key, value] of Object.entries(values)) flat[`${sub}.${key}`] = value;
    }
    if (Object.keys(flat).length > 0) raw[section.key] = flat;
  }
  return raw;
}

/** The SDK's raw parse, through its public loader (its parseIni is not exported). */
async function sdkRaw(path: string): Promise<Raw> {
  const { credentialsFile } = await loadSharedConfigFiles({
    filepath: path,
    configFilepath: "/nonexistent/aws-okta-test-config",
    ignoreCache: true,
  });
  return JSON.parse(JSON.stringify(credentialsFile));
}

let virtualFiles = 0;
/** Feeds text to the SDK without touching the disk. */
function sdkRawOf(text: string): Promise<Raw> {
  const path = `/virtual/aws-okta-ini-${virtualFiles++}`;
  externalDataInterceptor.interceptFile(path, text);
  return sdkRaw(path);
}

async function corpus(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(FIXTURES)) if (entry.isFile) names.push(entry.name);
  return names.sort();
}

Deno.test("parseIni agrees with the AWS SDK on every fixture", async () => {
  const names = (await corpus()).filter((name) => !name.startsWith("error_"));
  assert.ok(names.length >= 30, `only ${names.length} fixtures`);
  for (const name of names) {
    const path = fileURLToPath(new URL(name, FIXTURES));
    const ours = toSdkRaw(parseIni(await Deno.readTextFile(path), path));
    assert.deepStrictEqual(ours, await sdkRaw(path), name);
  }
});

Deno.test("parseIni finds headers where the SDK's line split puts them (header scan, lazy keys)", async () => {
  const texts = [
    "[profile a]\nk = 1\rx\n[profile b]\nk = 2\n", // a lone CR is not a line break
    "[profile a]\nk = 1\r[profile b]\nk = 2\n", // so "[profile b]" is inside a line here
    "[profile a]\r\nk = 1\r\n\r\n  [profile b] ; c\r\nk = 2\r\n", // CRLF, indented header, comment
    "\ufeff[profile a]\nk = 1\n\u2028[profile b]\nk = 2\n", // BOM and U+2028 trimmed away
    "[profile a]\nk = 1\nx \u2028[profile b]\nk = 2\n", // U+2028 mid-line is not a line start
    "[profile a]\nk = 1\n[unknown x]\nk = 2\n[profile a]\nj = 3\n[]\nk = 4\n", // ignored headers end a body
    "[profile a]\ns3 =\n  max = 1\n[profile a]\n  top = 2\n", // a header ends a sub-section
    "k = 0\n[profile a]", // no line break at the end
  ];
  for (const text of texts) {
    assert.deepStrictEqual(toSdkRaw(parseIni(text, "t")), await sdkRawOf(text), JSON.stringify(text));
  }
  assert.deepStrictEqual(parseIni("x\n\n[a]\n\r\n[b]\n", "t").map((s) => s.line), [3, 5]);
});

Deno.test("parseIni throws ConfigError with file and line where the SDK throws", async () => {
  const cases: [string, number, string][] = [
    ["error_proto.ini", 3, "__proto__"],
    ["error_profile_proto.ini", 4, "profile __proto__"],
  ];
  for (const [name, line, header] of cases) {
    const path = fileURLToPath(new URL(name, FIXTURES));
    const text = await Deno.readTextFile(path);
    assert.throws(() => parseIni(text, path), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, `cannot parse "${path}" line ${line}: invalid section name "${header}"`);
      return true;
    });
    // The SDK throws too; its loader swallows the error and reports an empty file.
    assert.deepStrictEqual(await sdkRaw(path), {});
  }
});

Deno.test("parseIni keeps the [okta] section and other untyped sections", () => {
  const sections = parseIni("[okta]\naws_saml_url = home/x\n[profile okta]\nregion = r\n", "f");
  assert.deepStrictEqual(sections.map((s) => [s.key, s.type, s.name]), [
    ["okta", undefined, "okta"],
    ["profile.okta", "profile", "okta"],
  ]);
  assert.equal(sections[0]?.values["aws_saml_url"], "home/x");
});

Deno.test("parseIni records types, names and first header lines, merging duplicates", () => {
  const text = "x = 1\n[profile a]\nk = 1\n\n[sso-session s]\n[profile 'a']\nk = 2\nj = 3\n[ default ]\n";
  const sections = parseIni(text, "f");
  assert.deepStrictEqual(
    sections.map((s) => ({ key: s.key, type: s.type, name: s.name, line: s.line, values: { ...s.values } })),
    [
      { key: "profile.a", type: "profile", name: "a", line: 2, values: { k: "2", j: "3" } },
      { key: "sso-session.s", type: "sso-session", name: "s", line: 5, values: {} },
      { key: " default ", type: undefined, name: " default ", line: 9, values: {} },
    ],
  );
});

Deno.test("parseIni separates sub-sections from top-level keys", () => {
  const [section] = parseIni("[profile a]\ns3 =\n  max = 10\n  sub.dot = 1\nregion = r\n  top = t\n", "f");
  assert.ok(section);
  assert.deepStrictEqual({ ...section.values }, { region: "r", top: "t" });
  assert.deepStrictEqual({ ...section.subsections["s3"] }, { max: "10", "sub.dot": "1" });
});

Deno.test("parseIni records have no prototype, so inherited names are never values", () => {
  const [section] = parseIni("[profile a]\nregion = r\n", "f");
  assert.ok(section);
  assert.equal(section.values["toString"], undefined);
  assert.equal(section.values["constructor"], undefined);
});

Deno.test("stripComment and sectionId follow the SDK", () => {
  assert.equal(stripComment("a = b # c"), "a = b");
  assert.equal(stripComment("a = b#c"), "a = b#c");
  assert.equal(stripComment("# c"), "");
  assert.equal(stripComment("a\t;c"), "a");
  assert.deepStrictEqual(sectionId("profile x"), { key: "profile.x", type: "profile", name: "x" });
  assert.deepStrictEqual(sectionId('services "x"'), { key: "services.x", type: "services", name: "x" });
  assert.deepStrictEqual(sectionId("default"), { key: "default", name: "default" });
  assert.equal(sectionId("foo bar"), undefined);
  assert.equal(sectionId(""), undefined);
});

// Names the SDK cannot hold as own keys of its plain-object map (it drops or mangles them);
// we keep them, so generated files avoid them.
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

function sdkCanHold(text: string): boolean {
  return !text.split(/\r?\n/).some((line) => {
    const trimmed = stripComment(line).trim();
    if (trimmed[0] !== "[" || trimmed[trimmed.length - 1] !== "]") return false;
    const id = sectionId(trimmed.slice(1, -1));
    return id !== undefined && PROTOTYPE_NAMES.has(id.key);
  });
}

const name = fc.constantFrom("dev", "prod", "a.b", "x-y", "default", "okta", "q@r", "caf\u00e9");
const header = fc.oneof(
  fc.tuple(fc.constantFrom("profile ", "profile  ", "profile\t", "sso-session ", "services ", "", " "), name)
    .map(([prefix, n]) => `[${prefix}${n}]`),
  fc.constantFrom(
    "[default]",
    "[ default ]",
    "[okta]",
    '[profile "dev"]',
    "[profile 'prod']",
    "[foo bar]",
    "[]",
  ),
);
const space = fc.constantFrom("", " ", "  ", "\t", "\u00a0");
const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,7}$/);
const valueChar = fc.constantFrom(..."abcXYZ019 =#;/+.:\"'[]\u00e9\u2603".split(""));
const value = fc.array(valueChar, { maxLength: 12 }).map((chars) => chars.join(""));
const comment = fc.tuple(fc.constantFrom("#", ";"), value).map(([mark, text]) => mark + text);
const line = fc.oneof(
  { weight: 2, arbitrary: header },
  {
    weight: 6,
    arbitrary: fc.tuple(space, key, space, space, value, fc.option(fc.tuple(space, comment)))
      .map(([indent, k, before, after, v, c]) =>
        `${indent}${k}${before}=${after}${v}${c ? ` ${c[0]}${c[1]}` : ""}`
      ),
  },
  { weight: 1, arbitrary: fc.tuple(space, comment).map(([s, c]) => s + c) },
  { weight: 1, arbitrary: space },
);
const wellFormedFile = fc.tuple(
  fc.array(line, { maxLength: 25 }),
  fc.constantFrom("\n", "\r\n"),
  fc.boolean(),
)
  .map(([lines, eol, trailing]) => lines.join(eol) + (trailing ? eol : ""));

Deno.test("parseIni agrees with the SDK on generated files", async () => {
  await fc.assert(
    fc.asyncProperty(wellFormedFile, async (text) => {
      fc.pre(sdkCanHold(text));
      assert.deepStrictEqual(toSdkRaw(parseIni(text, "gen")), await sdkRawOf(text));
    }),
    { numRuns: 400 },
  );
});

Deno.test("parseIni never throws anything but ConfigError, and agrees with the SDK on noise", async () => {
  const noise = fc.array(fc.constantFrom(..."[]=#; \t\r\n\"'ab_.\u00a0\ufeffprofile".split("")), {
    maxLength: 60,
  })
    .map((chars) => chars.join(""));
  const text = fc.oneof(
    noise,
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.constant("[__proto__]\nx=1"),
  );
  await fc.assert(
    fc.asyncProperty(text, async (input) => {
      let ours: Raw;
      try {
        ours = toSdkRaw(parseIni(input, "noise"));
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return;
      }
      if (sdkCanHold(input)) assert.deepStrictEqual(ours, await sdkRawOf(input));
    }),
    { numRuns: 400 },
  );
});
