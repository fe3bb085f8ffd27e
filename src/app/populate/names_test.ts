import assert from "node:assert/strict";
import { AppError, UsageError } from "../../errors.ts";
import { checkNaming, DEFAULT_NAME_TEMPLATE, profileNames, roleParts, slug } from "./names.ts";

const naming = { prefix: "", template: DEFAULT_NAME_TEMPLATE };

Deno.test("names: the app label for single-account apps, else the account id; role paths dropped", () => {
  const names = profileNames([
    {
      roleArn: "arn:aws:iam::111111111111:role/Engineer",
      appLabel: "AWS Production",
      singleAccountApp: true,
    },
    {
      roleArn: "arn:aws:iam::222222222222:role/ops/Admin+Ops",
      appLabel: "AWS (all)",
      singleAccountApp: false,
    },
    { roleArn: "arn:aws-us-gov:iam::333333333333:role/Read_Only", appLabel: "", singleAccountApp: true },
  ], { ...naming, prefix: "okta-" });
  assert.deepEqual(names, [
    "okta-aws-production-Engineer",
    "okta-222222222222-Admin+Ops",
    "okta-333333333333-Read_Only",
  ]);
});

Deno.test("names: aliases win; templates place the parts; the same input gives the same names", () => {
  const roles = [
    { roleArn: "arn:aws:iam::111111111111:role/Engineer", appLabel: "Prod", singleAccountApp: true },
    { roleArn: "arn:aws:iam::222222222222:role/Engineer", appLabel: "All", singleAccountApp: false },
  ];
  const aliases = new Map([["222222222222", "acme-sandbox"]]);
  assert.deepEqual(profileNames(roles, { ...naming, aliases }), ["prod-Engineer", "acme-sandbox-Engineer"]);
  assert.deepEqual(
    profileNames(roles, { prefix: "x.", template: "{role}@{account_id}.{app}", aliases }),
    ["x.Engineer@111111111111.prod", "x.Engineer@222222222222.all"],
  );
  assert.deepEqual(profileNames(roles, naming), profileNames(roles, naming));
});

Deno.test("names: two roles with one name, or an empty name, are errors naming the fix", () => {
  const roles = [
    { roleArn: "arn:aws:iam::111111111111:role/Engineer", appLabel: "Prod", singleAccountApp: true },
    { roleArn: "arn:aws:iam::111111111111:role/Admin", appLabel: "Prod", singleAccountApp: true },
  ];
  assert.throws(() => profileNames(roles, { prefix: "", template: "{account}" }), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.match(error.message, /would both be profile "prod"/);
    assert.equal(error.exitCode, 2);
    return true;
  });
  assert.throws(
    () => profileNames(roles.slice(0, 1), { prefix: "", template: "-" }),
    /no usable profile name/,
  );
});

Deno.test("names: prefix and template are checked before any sign-in", () => {
  checkNaming("okta-", "{account}-{role}");
  assert.throws(() => checkNaming("a b", DEFAULT_NAME_TEMPLATE), UsageError);
  assert.throws(() => checkNaming("-x", DEFAULT_NAME_TEMPLATE), UsageError);
  assert.throws(() => checkNaming("", "{acount}-{role}"), /unknown placeholder "\{acount\}"/);
  assert.throws(() => checkNaming("", "{account}/{role}"), /invalid --name-template/);
});

Deno.test("names: slug and ARN parts", () => {
  assert.equal(slug("  AWS: Prod (EU) "), "AWS-Prod-EU");
  assert.deepEqual(roleParts("arn:aws:iam::123456789012:role/a/b/Deploy"), {
    accountId: "123456789012",
    roleName: "Deploy",
  });
});
