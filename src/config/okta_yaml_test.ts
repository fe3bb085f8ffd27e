import assert from "node:assert/strict";
import { labelFor, loadOktaYaml, parseOktaYaml, resolveLabel } from "./okta_yaml.ts";

const YAML = `---
awscli:
  idps:
    "arn:aws:iam::123456789012:saml-provider/Okta": "Production"
  roles:
    "arn:aws:iam::123456789012:role/Admin": "Admin exact"
    "arn:aws:iam::.*:role/Reader": "Reader"
  profiles:
    sandbox:
      aws-iam-role: "Reader"
      write-aws-credentials: true
      aws-session-duration: 7200
`;

Deno.test("okta.yaml: labels, profiles (values as text), unknown parts ignored", async () => {
  const yaml = await parseOktaYaml(YAML + "other: [1, 2]\n", "/okta.yaml");
  assert.equal(yaml.idps["arn:aws:iam::123456789012:saml-provider/Okta"], "Production");
  assert.deepEqual(yaml.profiles.sandbox, {
    "aws-iam-role": "Reader",
    "write-aws-credentials": "true",
    "aws-session-duration": "7200",
  });
});

Deno.test("okta.yaml: exact keys first, then keys as unanchored regexps (okta-aws-cli); labels map back to ARNs", async () => {
  const { roles } = await parseOktaYaml(YAML, "/okta.yaml");
  assert.equal(labelFor(roles, "arn:aws:iam::123456789012:role/Admin"), "Admin exact");
  assert.equal(labelFor(roles, "arn:aws:iam::999999999999:role/Reader"), "Reader");
  // Go's regexp.MatchString finds the key anywhere in the ARN, as okta-aws-cli matches it.
  assert.equal(labelFor(roles, "arn:aws:iam::999999999999:role/ReaderX"), "Reader", "unanchored");
  assert.equal(labelFor({ "role/Engineer": "Eng" }, "arn:aws:iam::1:role/Engineer"), "Eng");
  assert.equal(labelFor({ "^role/Engineer$": "Eng" }, "arn:aws:iam::1:role/Engineer"), undefined);
  assert.equal(
    labelFor({ "role/(": "Broken" }, "arn:aws:iam::1:role/("),
    undefined,
    "not a regexp: exact only",
  );
  // The exact key wins over an earlier pattern that also matches.
  assert.equal(labelFor({ "role/": "Any", "arn:aws:iam::1:role/A": "A" }, "arn:aws:iam::1:role/A"), "A");
  const arns = ["arn:aws:iam::1:role/Admin", "arn:aws:iam::999999999999:role/Reader"];
  assert.equal(resolveLabel(roles, arns, "Reader"), "arn:aws:iam::999999999999:role/Reader");
  assert.equal(resolveLabel(roles, arns, "arn:aws:iam::1:role/Admin"), "arn:aws:iam::1:role/Admin");
  assert.equal(resolveLabel(roles, arns, "Nobody"), undefined);
});

Deno.test("okta.yaml: a missing file is empty; invalid YAML names the file", async () => {
  assert.deepEqual(await loadOktaYaml("/nonexistent/okta.yaml"), { idps: {}, roles: {}, profiles: {} });
  await assert.rejects(
    parseOktaYaml("awscli: [unclosed", "/home/a/.okta/okta.yaml"),
    /invalid YAML in "\/home\/a\/.okta\/okta.yaml"/,
  );
});
