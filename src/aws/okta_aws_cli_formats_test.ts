import assert from "node:assert/strict";
import { envVarLines, processCredentialsJson } from "./okta_aws_cli_formats.ts";

const creds = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE12",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+abc=",
  expiration: new Date("2026-12-03T10:04:59.123Z"),
};
const vars = {
  AWS_ACCESS_KEY_ID: creds.accessKeyId,
  AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
  AWS_SESSION_TOKEN: creds.sessionToken,
};

/** Go's fmt.Sprintf for the %s-only format strings of okta-aws-cli's internal/output. */
function sprintf(format: string, ...args: string[]): string {
  let i = 0;
  return format.replace(/%s/g, () => args[i++]!);
}

Deno.test("okta-aws-cli formats: env-var lines are its export / setx format strings", () => {
  const posix = [
    "export AWS_ACCESS_KEY_ID=%s\n",
    "export AWS_SECRET_ACCESS_KEY=%s\n",
    "export AWS_SESSION_TOKEN=%s\n",
  ];
  assert.equal(
    envVarLines(vars, false),
    posix.map((format, i) => sprintf(format, Object.values(vars)[i]!)).join(""),
  );
  const windows = [
    "setx AWS_ACCESS_KEY_ID %s\n",
    "setx AWS_SECRET_ACCESS_KEY %s\n",
    "setx AWS_SESSION_TOKEN %s\n",
  ];
  assert.equal(
    envVarLines(vars, true),
    windows.map((format, i) => sprintf(format, Object.values(vars)[i]!)).join(""),
  );
});

Deno.test({
  name: "okta-aws-cli formats: a value a shell would split or expand is quoted, never run",
  // export lines are for POSIX shells; Windows has no sh to evaluate them.
  ignore: Deno.build.os === "windows",
}, async () => {
  const odd = { A: "x y", B: "$(touch pwned)", C: "it's" };
  assert.equal(envVarLines(odd, false), `export A='x y'\nexport B='$(touch pwned)'\nexport C='it'\\''s'\n`);
  const shell = await new Deno.Command("sh", {
    args: ["-c", `${envVarLines(odd, false)}printf '%s|%s|%s' "$A" "$B" "$C"`],
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(shell.stdout), "x y|$(touch pwned)|it's");
  assert.equal(envVarLines({ A: 'say "hi"' }, true), 'setx A "say \\"hi\\""\n');
});

Deno.test("okta-aws-cli formats: process-credentials is Go's MarshalIndent of its ProcessCredential", () => {
  // Keys in the order Go emits them (the Expiration override after the embedded fields), two-space
  // indent, RFC 3339 without fractions, no trailing newline.
  assert.equal(
    processCredentialsJson(creds),
    `{
  "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
  "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "SessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+abc=",
  "Version": 1,
  "Expiration": "2026-12-03T10:04:59Z"
}`,
  );
  // Go escapes HTML characters in strings.
  assert.match(processCredentialsJson({ ...creds, sessionToken: "<&>" }), /"\\u003c\\u0026\\u003e"/);
});
