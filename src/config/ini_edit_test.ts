import assert from "node:assert/strict";
import fc from "fast-check";
import { externalDataInterceptor, loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { commentOutKeys, removeSection, setSectionValues } from "./ini_edit.ts";
import { headerText, parseIni, sectionId, stripComment } from "./ini.ts";
import { ConfigError } from "./config_error.ts";

Deno.test("setSectionValues updates in place, keeping spacing and comments", () => {
  const text =
    "# creds\n[dev]\naws_access_key_id=OLD # rotated\n  aws_session_token =  t1\n\n[prod]\nx = 1\n";
  const result = setSectionValues(text, "dev", { aws_access_key_id: "NEW", aws_session_token: "t2" });
  assert.equal(
    result,
    "# creds\n[dev]\naws_access_key_id=NEW # rotated\n  aws_session_token =  t2\n\n[prod]\nx = 1\n",
  );
});

Deno.test("setSectionValues appends new keys after the section's last key line", () => {
  const text = "[dev]\na = 1\n; note about prod\n\n[prod]\nb = 2\n";
  assert.equal(
    setSectionValues(text, "dev", { c: "3", d: "4" }),
    "[dev]\na = 1\nc = 3\nd = 4\n; note about prod\n\n[prod]\nb = 2\n",
  );
  assert.equal(setSectionValues("[dev]\n# empty\n", "dev", { a: "1" }), "[dev]\na = 1\n# empty\n");
});

Deno.test("setSectionValues removes keys with undefined", () => {
  const text = "[dev]\na = 1\nb = 2\nc = 3\n[prod]\nb = 9\n";
  assert.equal(
    setSectionValues(text, "dev", { b: undefined, z: undefined }),
    "[dev]\na = 1\nc = 3\n[prod]\nb = 9\n",
  );
  assert.equal(setSectionValues("[prod]\nb = 9\n", "dev", { b: undefined }), "[prod]\nb = 9\n");
});

Deno.test("setSectionValues appends a missing section after one blank line", () => {
  assert.equal(setSectionValues("", "dev", { a: "1" }), "[dev]\na = 1\n");
  assert.equal(setSectionValues("[x]\ny = 2\n", "dev", { a: "1" }), "[x]\ny = 2\n\n[dev]\na = 1\n");
  assert.equal(setSectionValues("[x]\ny = 2", "dev", { a: "1" }), "[x]\ny = 2\n\n[dev]\na = 1\n");
  assert.equal(setSectionValues("[x]\ny = 2\n\n", "dev", { a: "1" }), "[x]\ny = 2\n\n[dev]\na = 1\n");
  assert.equal(
    setSectionValues("[x]\r\ny = 2\r\n", "dev", { a: "1" }),
    "[x]\r\ny = 2\r\n\r\n[dev]\r\na = 1\r\n",
  );
});

Deno.test("setSectionValues keeps CRLF and a missing final newline stays local to the section", () => {
  assert.equal(setSectionValues("[dev]\r\na = 1", "dev", { b: "2" }), "[dev]\r\na = 1\r\nb = 2\r\n");
  assert.equal(setSectionValues("[dev]\r\na = 1", "dev", { a: "2" }), "[dev]\r\na = 2");
});

Deno.test("setSectionValues edits every copy of a duplicated section and matches SDK-equal headers", () => {
  const text = "[profile dev]\na = 1\n[other]\n[profile 'dev']\na = 2\nb = 3\n";
  assert.equal(
    setSectionValues(text, "profile dev", { a: "9", c: "4" }),
    "[profile dev]\na = 9\n[other]\n[profile 'dev']\na = 9\nb = 3\nc = 4\n",
  );
});

Deno.test("setSectionValues leaves sub-section keys alone", () => {
  const text = "[dev]\ns3 =\n  a = 1\n";
  assert.equal(setSectionValues(text, "dev", { a: "2" }), "[dev]\ns3 =\n  a = 1\na = 2\n");
});

Deno.test("setSectionValues refuses a removal that would re-home later lines", () => {
  const text = "[dev]\ns3 =\n  x = 1\na = 1\n  y = 2\n";
  assert.throws(() => setSectionValues(text, "dev", { a: undefined }), ConfigError);
});

Deno.test("setSectionValues rejects what the SDK would read differently, without echoing values", () => {
  const secret = "s3cr3t #tail";
  assert.throws(() => setSectionValues("", "dev", { token: secret }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.ok(!error.message.includes("s3cr3t"));
    assert.match(error.message, /^invalid value for "token"/);
    return true;
  });
  for (const value of ["", " x", "x ", "a\nb", "#x", "a ;b"]) {
    assert.throws(() => setSectionValues("", "dev", { k: value }), ConfigError, JSON.stringify(value));
  }
  for (const key of ["", "a b", "a=b", "[x", "#x", ";x", "__proto__"]) {
    assert.throws(() => setSectionValues("", "dev", { [key]: "v" }), ConfigError, JSON.stringify(key));
  }
  for (const header of ["foo bar", "", "a\nb", "dev # x", "__proto__", "profile __proto__"]) {
    assert.throws(() => setSectionValues("", header, { k: "v" }), ConfigError, JSON.stringify(header));
  }
  assert.equal(setSectionValues("", "dev", { k: "a#b;c==" }), "[dev]\nk = a#b;c==\n");
});

// ---- properties -------------------------------------------------------------------------------

type Raw = Record<string, Record<string, string>>;
let virtualFiles = 0;
async function sdkRaw(text: string): Promise<Raw> {
  const path = `/virtual/aws-okta-edit-${virtualFiles++}`;
  externalDataInterceptor.interceptFile(path, text);
  const { credentialsFile } = await loadSharedConfigFiles({
    filepath: path,
    configFilepath: "/nonexistent/aws-okta-test-config",
    ignoreCache: true,
  });
  return JSON.parse(JSON.stringify(credentialsFile));
}

/** Splits text into chunks that each start at a header line; returns [section key | "", chunk]. */
function chunks(text: string): [string, string][] {
  const result: [string, string][] = [["", ""]];
  for (const line of text.split(/(?<=\n)/)) {
    const header = headerText(stripComment(line.replace(/\r?\n$/, "")).trim());
    if (header !== undefined) result.push([sectionId(header)?.key ?? "", ""]);
    const last = result[result.length - 1]!;
    last[1] += line;
  }
  return result;
}

const headers = ["dev", "profile dev", "prod", "profile 'dev'", " dev "];
const keyNames = ["a", "b", "c", "aws_session_token", "s3"];
const safeValue = fc.stringMatching(/^[A-Za-z0-9/+=:#;.-]{1,10}$/).filter((v) => !/^[#;]/.test(v));
const fileLine = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...headers).map((h) => `[${h}]`) },
  {
    weight: 6,
    arbitrary: fc.tuple(
      fc.constantFrom("", "  ", "\t"),
      fc.constantFrom(...keyNames),
      fc.constantFrom("=", " = ", " ="),
      safeValue,
      fc.constantFrom("", " # c", " ;c"),
    )
      .map(([indent, key, eq, value, comment]) => `${indent}${key}${eq}${value}${comment}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(...keyNames).map((key) => `${key} =`) },
  { weight: 1, arbitrary: fc.constantFrom("", "# comment", "; other", "   ", "garbage line") },
);
const file = fc.tuple(fc.array(fileLine, { maxLength: 20 }), fc.constantFrom("\n", "\r\n"), fc.boolean())
  .map(([lines, eol, trailing]) => ({
    text: lines.join(eol) + (trailing && lines.length > 0 ? eol : ""),
    eol,
  }));
const edit = fc.dictionary(fc.constantFrom(...keyNames), fc.option(safeValue, { nil: undefined }), {
  maxKeys: 4,
});
const target = fc.constantFrom("dev", "profile dev", "prod", "new");

Deno.test("property: edits change only the target section, read back right, and are idempotent", async () => {
  let refused = 0;
  const runs = 500;
  await fc.assert(
    fc.asyncProperty(file, target, edit, async ({ text, eol }, header, values) => {
      let result: string;
      try {
        result = setSectionValues(text, header, values);
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /in place$/);
        refused++;
        return;
      }
      const key = sectionId(header)!.key;
      const before = chunks(text);
      if (before.some(([k]) => k === key)) {
        const outside = (parts: [string, string][]) =>
          parts.filter(([k]) => k !== key).map(([, c]) => c).join("");
        assert.equal(outside(chunks(result)), outside(before));
      } else {
        assert.ok(result.startsWith(text));
      }

      const expected = await sdkRaw(text);
      const section = { ...expected[key] };
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete section[k];
        else section[k] = v;
      }
      if (Object.keys(section).length > 0) expected[key] = section;
      else delete expected[key];
      assert.deepStrictEqual(await sdkRaw(result), expected);
      assert.deepStrictEqual(
        Object.fromEntries(
          parseIni(result, "r").filter((s) => s.key === key).flatMap((s) => Object.entries(s.values)),
        ),
        Object.fromEntries(Object.entries(section).filter(([k]) => !k.includes("."))),
      );

      assert.equal(setSectionValues(result, header, values), result);
      if (eol === "\r\n" && text.includes("\r\n")) {
        assert.ok(!/(^|[^\r])\n/.test(result), "a bare LF in a CRLF file");
      }
    }),
    { numRuns: runs },
  );
  // Refusals are for one rare shape (removing the line that closes a sub-section).
  assert.ok(refused < runs / 10, `refused ${refused} of ${runs}`);
});

Deno.test("removeSection drops the section and the blank lines after it, keeping comments that follow", () => {
  const text =
    "# mine\n[profile a]\nx = 1\n\n[profile b]\n# inside b\ny = 2\n\n# about c\n[profile c]\nz = 3\n";
  assert.equal(
    removeSection(text, "profile b"),
    "# mine\n[profile a]\nx = 1\n\n# about c\n[profile c]\nz = 3\n",
  );
  // The last section takes the blank line that separated it; CRLF and a missing final EOL are kept.
  assert.equal(removeSection("[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2", "b"), "[a]\r\nx = 1\r\n");
  assert.equal(removeSection("[a]\nx = 1", "b"), "[a]\nx = 1");
  // Every copy of a duplicated section goes; other sections are untouched.
  assert.equal(removeSection("[b]\ny = 1\n[a]\nx = 1\n[b]\ny = 2\n", "b"), "[a]\nx = 1\n");
  assert.throws(() => removeSection("", "__proto__"), ConfigError);
});

Deno.test("removeSection: the AWS SDK reads every other section as before (property)", async () => {
  const runs = 300;
  await fc.assert(
    fc.asyncProperty(file, target, async ({ text }, header) => {
      const result = removeSection(text, header);
      const key = sectionId(header)!.key;
      const expected = await sdkRaw(text);
      delete expected[key];
      assert.deepStrictEqual(await sdkRaw(result), expected);
      assert.equal(parseIni(result, "r").some((section) => section.key === key), false);
      if (!parseIni(text, "t").some((section) => section.key === key)) assert.equal(result, text);
    }),
    { numRuns: runs },
  );
});

Deno.test("commentOutKeys: comments out the section's keys as okta-aws-cli does, every other byte kept", () => {
  const text = "[default]\naws_security_token = keep-me\n\n[work]\r\n  aws_security_token=OLD ; note\r\n" +
    "x_security_token_expires = 2020-01-01T00:00:00Z\r\noutput = json\r\ns3 =\r\n  aws_security_token = nested\r\n";
  const { text: out, commented } = commentOutKeys(text, "work", [
    "aws_security_token",
    "x_security_token_expires",
  ]);
  assert.deepEqual(commented, ["aws_security_token", "x_security_token_expires"]);
  assert.equal(
    out,
    "[default]\naws_security_token = keep-me\n\n[work]\r\n# aws_security_token=OLD ; note\r\n" +
      "# x_security_token_expires = 2020-01-01T00:00:00Z\r\noutput = json\r\ns3 =\r\n  aws_security_token = nested\r\n",
  );
  const none = commentOutKeys(out, "work", ["aws_security_token"]);
  assert.deepEqual(none, { text: out, commented: [] }, "already commented out: unchanged");
  assert.deepEqual(commentOutKeys("", "work", ["a"]), { text: "", commented: [] });
});
