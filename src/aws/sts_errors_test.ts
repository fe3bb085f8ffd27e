import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { clean, stsError, type StsOperation } from "./sts_errors.ts";

const op: StsOperation = {
  action: "AssumeRole",
  roleArn: "arn:aws:iam::111111111111:role/Target",
  endpointUrl: "https://sts.amazonaws.com",
  signingRegion: "us-east-1",
  secrets: ["SECRETVALUE123"],
};

Deno.test("clean makes one line without secrets, long tokens or a trailing period", () => {
  assert.equal(clean("  Line one.\n  Line two...  ", []), "Line one. Line two");
  assert.equal(clean("key SECRETVALUE123 here", ["SECRETVALUE123"]), "key *** here");
  const token = "IQoJ" + "A".repeat(100) + "/+=";
  assert.equal(clean(`token ${token} end`, []), "token *** end");
  assert.ok(clean("x".repeat(1000), []).length <= 401);
});

Deno.test("errors from our fetch stack pass through unchanged", () => {
  const original = new AppError("connection to sts.amazonaws.com refused");
  assert.equal(stsError(original, op, undefined), original);
});

Deno.test("the SDK's renamed modeled exceptions map back to the wire codes", () => {
  const sdkError = Object.assign(new Error("bad token"), {
    name: "InvalidIdentityTokenException",
    $metadata: { httpStatusCode: 400 },
  });
  const mapped = stsError(sdkError, {
    ...op,
    action: "AssumeRoleWithSAML",
    principalArn: "arn:aws:iam::1:saml-provider/Okta",
  }, undefined);
  assert.equal(
    mapped.message,
    'AWS rejected the SAML assertion for AssumeRoleWithSAML for "arn:aws:iam::111111111111:role/Target": bad token',
  );
});

Deno.test("an error without any AWS answer still names the call and hides secrets", () => {
  const mapped = stsError(new TypeError("boom SECRETVALUE123"), op, undefined);
  assert.equal(
    mapped.message,
    'STS call AssumeRole for "arn:aws:iam::111111111111:role/Target" failed: boom ***',
  );
  assert.ok(mapped.hint?.includes("--debug"));
});
