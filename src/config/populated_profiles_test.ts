import assert from "node:assert/strict";
import { ConfigError } from "./config_error.ts";
import { applyPopulatedProfiles, POPULATE_MARKER, type WantedProfile } from "./populated_profiles.ts";

const ENGINEER = "arn:aws:iam::111111111111:role/Engineer";
const READ_ONLY = "arn:aws:iam::111111111111:role/ReadOnly";

function wanted(name: string, role: string): WantedProfile {
  return {
    name,
    values: {
      credential_process: `aws-okta cred-process ${name}`,
      okta_aws_role_arn: role,
      aws_saml_url: "home/amazon_aws/0oaA/272",
      okta_aws_fed_app_id: undefined,
    },
  };
}

const options = { scope: "default", fileName: "config" };

Deno.test("populate edit: adds marked profiles after the user's own text, byte for byte", () => {
  const mine = "# my settings\r\n[profile mine]\r\nregion = eu-west-1 ; keep\r\n";
  const first = applyPopulatedProfiles(mine, [wanted("p-Engineer", ENGINEER)], options);
  assert.ok(first.text.startsWith(mine));
  assert.equal(
    first.text.slice(mine.length),
    "\r\n[profile p-Engineer]\r\n" +
      `${POPULATE_MARKER} = default\r\n` +
      "credential_process = aws-okta cred-process p-Engineer\r\n" +
      `okta_aws_role_arn = ${ENGINEER}\r\n` +
      "aws_saml_url = home/amazon_aws/0oaA/272\r\n",
  );
  assert.deepEqual(first.changes, [{ name: "p-Engineer", action: "added" }]);
  // Once more: nothing changes.
  const again = applyPopulatedProfiles(first.text, [wanted("p-Engineer", ENGINEER)], options);
  assert.equal(again.text, first.text);
  assert.deepEqual(again.changes, [{ name: "p-Engineer", action: "unchanged" }]);
});

Deno.test("populate edit: updates its own profiles in place and removes those no longer wanted", () => {
  const start = applyPopulatedProfiles(
    "[profile mine]\nregion = us-east-1\n",
    [wanted("p-Engineer", ENGINEER), wanted("p-ReadOnly", READ_ONLY)],
    options,
  ).text;
  // The user added a key to a populated profile: it stays.
  const edited = start.replace("[profile p-Engineer]\n", "[profile p-Engineer]\noutput = json\n");
  const moved = wanted("p-Engineer", ENGINEER);
  moved.values = { ...moved.values, aws_saml_url: undefined, okta_aws_fed_app_id: "0oaB" };
  const result = applyPopulatedProfiles(edited, [moved], options);
  assert.deepEqual(result.changes, [
    { name: "p-Engineer", action: "updated" },
    { name: "p-ReadOnly", action: "removed" },
  ]);
  assert.equal(
    result.text,
    "[profile mine]\nregion = us-east-1\n\n[profile p-Engineer]\noutput = json\n" +
      `${POPULATE_MARKER} = default\ncredential_process = aws-okta cred-process p-Engineer\n` +
      `okta_aws_role_arn = ${ENGINEER}\nokta_aws_fed_app_id = 0oaB\n`,
  );
});

Deno.test("populate edit: a hand-written profile of the same name is refused, and nothing changes", () => {
  const text = "[profile p-Engineer]\nrole_arn = arn:aws:iam::1:role/Mine\n";
  assert.throws(
    () => applyPopulatedProfiles(text, [wanted("p-Engineer", ENGINEER)], options),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /^profile "p-Engineer" already exists in "config" and was not written by aws-okta populate$/,
      );
      assert.match(error.hint ?? "", /--prefix or --name-template/);
      return true;
    },
  );
});

Deno.test("populate edit: another Okta account's profiles are neither removed nor overwritten", () => {
  const other = applyPopulatedProfiles("", [wanted("b-Engineer", ENGINEER)], { ...options, scope: "b" }).text;
  const mine = applyPopulatedProfiles(other, [wanted("p-Engineer", ENGINEER)], options);
  assert.ok(mine.text.startsWith(other));
  assert.deepEqual(mine.changes, [{ name: "p-Engineer", action: "added" }]);
  assert.throws(
    () => applyPopulatedProfiles(mine.text, [wanted("b-Engineer", ENGINEER)], options),
    /"b-Engineer" already exists/,
  );
  // `keep` spares owned profiles the caller could not check (an app that could not be read).
  const kept = applyPopulatedProfiles(mine.text, [], {
    ...options,
    keep: (values) => values["aws_saml_url"] !== undefined,
  });
  assert.equal(kept.text, mine.text);
  assert.deepEqual(kept.changes, []);
});
