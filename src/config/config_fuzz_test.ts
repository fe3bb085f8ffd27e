/**
 * Fuzzing of the config layer with random INI "soup" (real headers and keys mixed with garbage,
 * Unicode, lone CRs, BOMs, sub-sections): the reader, profile resolution and the editor only ever
 * throw typed errors (AppError subclasses, one line each), and editing one section never changes a
 * byte outside it. `make test` runs a sample; `make fuzz` runs FUZZ_RUNS inputs per property.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzParameters } from "../../tests/fuzz_runs.ts";
import { AppError, formatError } from "../errors.ts";
import { parseAwsConfig } from "./aws_config.ts";
import { ConfigError } from "./config_error.ts";
import { parseDuration } from "./duration.ts";
import { headerText, parseIni, sectionId, stripComment } from "./ini.ts";
import { setSectionValues } from "./ini_edit.ts";
import { resolveProfile } from "./profile.ts";

const NAMES = [
  "dev",
  "prod",
  "a",
  "b",
  "default",
  "okta",
  "x.y",
  "q@r",
  "caf\u00e9",
  "__proto__",
  "constructor",
];
const KEYS = [
  "source_profile",
  "role_arn",
  "okta_aws_role_arn",
  "duration_seconds",
  "session_ttl",
  "assume_role_ttl",
  "region",
  "aws_saml_url",
  "okta_account_name",
  "okta_session_cookie_key",
  "okta_auth_flow",
  "okta_oidc_client_id",
  "okta_aws_fed_app_id",
  "okta_org_domain",
  "mfa_provider",
  "mfa_factor_type",
  "mfa_duo_device",
  "external_id",
  "role_session_name",
  "credential_process",
  "aws_access_key_id",
  "s3",
  "__proto__",
  "toString",
];

const name = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 6 }));
const junk = fc.string({ unit: "binary", maxLength: 20 });
const value = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.constantFrom(
    "1h",
    "90m",
    "3600",
    "900",
    "43200",
    "0",
    "-1",
    "1e9",
    "abc",
    "1x",
    "",
    " ",
    "classic",
    "device",
  ),
  fc.constantFrom(
    "arn:aws:iam::123456789012:role/Engineer",
    "home/amazon_aws/0oa1/272",
    "https://x.okta.com/home/amazon_aws/0oa1/272",
  ),
  junk,
);
const header = fc.oneof(
  name.map((n) => `[${n}]`),
  name.map((n) => `[profile ${n}]`),
  name.map((n) => `[ profile  ${n} ]`),
  name.map((n) => `[profile "${n}"]`),
  fc.constantFrom("[", "]", "[]", "[okta]", "[default]", "[sso-session s]", "[services x]", "[profile]"),
);
const line = fc.oneof(
  { weight: 3, arbitrary: header },
  {
    weight: 8,
    arbitrary: fc.tuple(
      fc.constantFrom("", " ", "\t", "  "),
      fc.constantFrom(...KEYS),
      fc.constantFrom("=", " = ", " ="),
      value,
    )
      .map(([indent, key, eq, v]) => `${indent}${key}${eq}${v}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(...KEYS).map((key) => `${key} =`) },
  { weight: 1, arbitrary: fc.constantFrom("", "# c", "; c", "x = 1 # c", "=x", "\ufeff[dev]", "\u00a0") },
  { weight: 1, arbitrary: junk },
);
const eol = fc.constantFrom("\n", "\r\n", "\r");
/** A random INI file: lines of soup joined by (possibly mixed) line endings. */
const iniText = fc.array(fc.tuple(line, eol), { maxLength: 30 }).map((lines) =>
  lines.map(([text, end]) => text + end).join("")
);

/** The checks every typed error must pass: an AppError that main.ts prints as one line. */
function assertTyped(error: unknown): void {
  assert.ok(error instanceof AppError, `not an AppError: ${error}`);
  const line = formatError(error);
  assert.ok(![..."\r\n\u001b"].some((c) => line.includes(c)), `one line: ${JSON.stringify(line)}`);
}

Deno.test("fuzz: parseIni throws nothing but ConfigError, and each key is filed once", () => {
  fc.assert(
    fc.property(fc.oneof(iniText, fc.string({ unit: "binary", maxLength: 200 })), (text) => {
      try {
        const sections = parseIni(text, "f");
        assert.equal(new Set(sections.map((s) => s.key)).size, sections.length);
        const lines = text.split(/\r?\n/).length;
        for (const section of sections) assert.ok(section.line >= 1 && section.line <= lines);
      } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        assertTyped(error);
      }
    }),
    fuzzParameters(300),
  );
});

Deno.test("fuzz: resolving any profile of any config throws only one-line AppErrors", () => {
  fc.assert(
    fc.property(iniText, fc.array(name, { maxLength: 4 }), (text, extraNames) => {
      let config;
      try {
        config = parseAwsConfig(text, "/home/u/.aws/config");
      } catch (error) {
        assertTyped(error);
        return;
      }
      for (const profile of [...config.profileNames(), ...extraNames]) {
        try {
          const resolved = resolveProfile(config, profile);
          assert.equal(resolved.name, profile);
          assert.ok(resolved.chain.length >= 1 && resolved.chain[0] === profile);
        } catch (error) {
          assertTyped(error);
        }
      }
    }),
    fuzzParameters(300),
  );
});

Deno.test("parseDuration: unit names from Object.prototype are not units (found by fuzzing)", () => {
  for (const text of ["7toString", "1constructor", "2__proto__", "3valueOf"]) {
    assert.throws(() => parseDuration(text), (error: unknown) => error instanceof AppError);
  }
});

Deno.test("fuzz: parseDuration returns whole seconds or throws an AppError", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.stringMatching(/^-?[0-9.]{0,6}(ns|us|µs|ms|s|m|h|d)?([0-9.]{0,3}(ns|us|ms|s|m|h))?$/),
    fc.tuple(fc.nat(), fc.constantFrom("toString", "constructor", "__proto__", "hasOwnProperty")).map((
      [n, u],
    ) => `${n}${u}`),
  );
  fc.assert(
    fc.property(text, (input) => {
      try {
        const seconds = parseDuration(input);
        assert.ok(Number.isSafeInteger(seconds) && seconds >= 0, `${input} -> ${seconds}`);
      } catch (error) {
        assertTyped(error);
      }
    }),
    fuzzParameters(500),
  );
});

/** Splits text into chunks that each start at a header line; returns [section key | "", chunk]. */
function chunks(text: string): [string, string][] {
  const result: [string, string][] = [["", ""]];
  for (const part of text.split(/(?<=\n)/)) {
    const header = headerText(stripComment(part.replace(/\r?\n$/, "")).trim());
    if (header !== undefined) result.push([sectionId(header)?.key ?? "", ""]);
    result[result.length - 1]![1] += part;
  }
  return result;
}

const editKey = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "s3"),
  },
  { weight: 1, arbitrary: fc.constantFrom("", "a b", "[x", "#k", "k=v", "__proto__") },
);
const editValue = fc.oneof(
  { weight: 9, arbitrary: fc.stringMatching(/^[A-Za-z0-9/+=:.-]{1,24}$/) },
  { weight: 1, arbitrary: fc.constantFrom("", " x", "a # b", "a\nb", undefined) },
);

Deno.test("fuzz: editing one section never changes a byte outside it (or refuses with a ConfigError)", () => {
  fc.assert(
    fc.property(
      iniText,
      fc.constantFrom("dev", "profile dev", "prod", "okta", "new one", "default", "[bad]", "__proto__"),
      fc.dictionary(editKey, editValue, { maxKeys: 4 }),
      (text, target, values) => {
        let result: string;
        try {
          result = setSectionValues(text, target, values, "credentials");
        } catch (error) {
          assert.ok(error instanceof ConfigError, String(error));
          assertTyped(error);
          return;
        }
        const key = sectionId(target)!.key;
        const before = chunks(text);
        if (before.some(([k]) => k === key)) {
          const outside = (parts: [string, string][]) => parts.filter(([k]) => k !== key).map(([, c]) => c);
          assert.deepEqual(outside(chunks(result)), outside(before));
        } else {
          assert.ok(result.startsWith(text), "a new section is appended after every existing byte");
        }
        const read = parseIni(result, "credentials").find((s) => s.key === key);
        for (const [k, v] of Object.entries(values)) assert.equal(read?.values[k], v);
        assert.equal(setSectionValues(result, target, values, "credentials"), result, "idempotent");
      },
    ),
    fuzzParameters(300),
  );
});
