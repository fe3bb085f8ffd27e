import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { accountOf, formatExpiration, parseExpiration, partitionOf, roleNameOf } from "./credentials.ts";

function throwsApp(fn: () => unknown, message: string) {
  assert.throws(fn, (error: unknown) => error instanceof AppError && error.message === message);
}

Deno.test("partitionOf reads ARNs and regions", () => {
  assert.equal(partitionOf("arn:aws:iam::111111111111:role/Engineer"), "aws");
  assert.equal(partitionOf("arn:aws-us-gov:iam::111111111111:role/Engineer"), "aws-us-gov");
  assert.equal(partitionOf("arn:aws-cn:iam::111111111111:role/Engineer"), "aws-cn");
  assert.equal(partitionOf("us-gov-west-1"), "aws-us-gov");
  assert.equal(partitionOf("cn-northwest-1"), "aws-cn");
  assert.equal(partitionOf("eu-west-1"), "aws");
  assert.equal(partitionOf("us-east-1"), "aws");
  throwsApp(
    () => partitionOf("arn:aws-iso:iam::111111111111:role/X"),
    'unsupported AWS partition "aws-iso" in "arn:aws-iso:iam::111111111111:role/X"',
  );
});

Deno.test("roleNameOf takes the last path segment of a role ARN and the role of an assumed-role ARN", () => {
  assert.equal(roleNameOf("arn:aws:iam::1:role/Name"), "Name");
  assert.equal(roleNameOf("arn:aws:iam::111111111111:role/path/to/Name"), "Name");
  assert.equal(roleNameOf("arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com"), "Engineer");
  throwsApp(
    () => roleNameOf("arn:aws:iam::111111111111:user/alice"),
    '"arn:aws:iam::111111111111:user/alice" is not a role ARN',
  );
  throwsApp(
    () => roleNameOf("arn:aws:iam::111111111111:role/"),
    '"arn:aws:iam::111111111111:role/" is not a role ARN',
  );
  throwsApp(() => roleNameOf("Engineer"), 'invalid ARN "Engineer"');
});

Deno.test("accountOf returns the 12-digit account", () => {
  assert.equal(accountOf("arn:aws:iam::111111111111:role/Engineer"), "111111111111");
  assert.equal(accountOf("arn:aws:sts::222222222222:assumed-role/Deploy/alice"), "222222222222");
  throwsApp(() => accountOf("arn:aws:s3:::bucket"), 'ARN "arn:aws:s3:::bucket" names no account');
  throwsApp(() => accountOf("arn:aws:iam"), 'invalid ARN "arn:aws:iam"');
});

Deno.test("parseExpiration accepts RFC 3339 with and without fractional seconds", () => {
  assert.equal(parseExpiration("2024-05-01T13:00:00Z").getTime(), Date.UTC(2024, 4, 1, 13));
  assert.equal(parseExpiration("2024-05-01T13:00:00.123Z").getTime(), Date.UTC(2024, 4, 1, 13, 0, 0, 123));
  assert.equal(parseExpiration("2024-05-01T15:00:00+02:00").getTime(), Date.UTC(2024, 4, 1, 13));
  for (const bad of ["May 1 2024", "2024-05-01", "2024-13-01T00:00:00Z", "", "1714568400"]) {
    throwsApp(() => parseExpiration(bad), `invalid expiration time "${bad}"`);
  }
});

Deno.test("formatExpiration prints UTC without milliseconds", () => {
  assert.equal(formatExpiration(new Date(Date.UTC(2024, 4, 1, 13, 0, 0, 999))), "2024-05-01T13:00:00Z");
  assert.equal(formatExpiration(parseExpiration("2024-05-01T15:00:00+02:00")), "2024-05-01T13:00:00Z");
});
