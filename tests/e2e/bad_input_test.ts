/**
 * Bad input, table-driven: each case runs the real CLI and checks the exit code, one line naming the
 * cause (no stack trace), no secret anywhere in the output, and stored data left unchanged. The
 * shared checks are in bad_input_support.ts; more cases are in the other bad_input_*_test.ts files.
 */

import { stsThrottlingFault } from "../sim/faults.ts";
import {
  type BadInputCase,
  coldOkta,
  config,
  defineCases,
  ENGINEER,
  setOktaDomain,
} from "./bad_input_support.ts";

export const CASES: BadInputCase[] = [
  { name: "unknown profile", args: ["cred-process", "nope"], code: 1, message: /profile "nope" not found/ },
  {
    name: "missing config file",
    setup: (w) => Deno.remove(w.configFile),
    args: ["cred-process", "dev"],
    code: 1,
    message: /profile "dev" not found in ".*config"/,
  },
  {
    name: "source_profile loop",
    setup: (w) =>
      w.writeConfig(config(w, "\n[profile a]\nsource_profile = b\n\n[profile b]\nsource_profile = a\n")),
    args: ["cred-process", "a"],
    code: 1,
    message: /source_profile loop: "a" -> "b" -> "a"/,
  },
  {
    name: "bad duration flag",
    args: ["cred-process", "-t", "abc", "dev"],
    code: 2,
    message: /invalid duration "abc" for --session-ttl/,
  },
  {
    name: "bad AWS_SESSION_TTL",
    args: ["exec", "dev", "--", "true"],
    env: { AWS_SESSION_TTL: "forever" },
    code: 2,
    message: /AWS_SESSION_TTL/,
  },
  {
    name: "bad session_ttl in the config",
    setup: (w) => w.writeConfig(config(w, "session_ttl = soon\n")),
    args: ["cred-process", "dev"],
    code: 1,
    message: /session_ttl/,
  },
  {
    name: "bad AWS_OKTA_MIN_TTL",
    args: ["cred-process", "dev"],
    env: { AWS_OKTA_MIN_TTL: "-" },
    code: 2,
    message: /AWS_OKTA_MIN_TTL/,
  },
  {
    name: "unknown backend",
    args: ["cred-process", "-b", "nope", "dev"],
    code: 2,
    message: /unknown keyring backend "nope"/,
  },
  {
    name: "unknown flag",
    args: ["cred-process", "--colour", "dev"],
    code: 2,
    message: /unknown flag "--colour"/,
  },
  {
    name: "unknown command",
    args: ["cred-proces", "dev"],
    code: 2,
    message: /unknown command "cred-proces"/,
  },
  { name: "missing profile argument", args: ["env"], code: 2, message: /missing argument <profile>/ },
  {
    name: "exec without a command",
    args: ["exec", "dev"],
    code: 2,
    message: /missing argument <command> after "--"/,
  },
  {
    name: "wrong file passphrase",
    args: ["cred-process", "dev"],
    env: { AWS_OKTA_FILE_PASSPHRASE: "not it" },
    code: 1,
    message: /wrong passphrase/,
  },
  {
    name: "corrupted keyring item",
    setup: (w) => Deno.writeTextFile(`${w.home}/.aws-okta/okta-creds`, "eyJhbGciOi.garbage"),
    args: ["cred-process", "dev"],
    code: 1,
    message: /corrupted/,
  },
  {
    name: "no Okta credentials stored for the account",
    setup: (w) => w.writeConfig(config(w, "okta_account_name = other\n")),
    args: ["cred-process", "dev"],
    code: 1,
    message: /okta-creds-other.*aws-okta add/,
  },
  {
    name: "no aws_saml_url",
    setup: (w) => w.writeConfig(`[profile dev]\nokta_aws_role_arn = ${ENGINEER}\n`),
    args: ["cred-process", "dev"],
    code: 1,
    message: /no aws_saml_url for profile "dev"/,
  },
  {
    name: "wrong stored password",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.password = "changed in Okta";
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /Okta rejected the username or password for "alice@example.com".*aws-okta add/,
  },
  {
    name: "account locked out",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.status = "LOCKED_OUT";
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /locked/,
  },
  {
    name: "password expired",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.status = "PASSWORD_EXPIRED";
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /expired/,
  },
  {
    name: "push rejected",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.factors[0]!.push = { decision: "reject" };
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /push was rejected/,
  },
  {
    name: "push timed out",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.factors[0]!.push = { decision: "timeout", afterPolls: 1 };
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /push timed out/,
  },
  {
    name: "wrong TOTP code three times",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.factors = [{
        id: "ost1totpAAAAAAAAAAA1",
        factorType: "token:software:totp",
        provider: "GOOGLE",
        code: "111111",
      }];
    },
    args: ["cred-process", "dev"],
    stdin: "000000\n222222\n333333\n",
    code: 1,
    message: /3 times/,
  },
  {
    name: "MFA code prompt with stdin closed",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.users[0]!.factors = [{
        id: "ost1totpAAAAAAAAAAA1",
        factorType: "token:software:totp",
        provider: "GOOGLE",
        code: "111111",
      }];
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /no answer for/,
  },
  {
    name: "AWS app not assigned to the user",
    setup: (w) =>
      w.writeConfig(
        config(w).replace(/aws_saml_url = .*/, "aws_saml_url = home/amazon_aws/0oaNOTASSIGNED/272"),
      ),
    args: ["cred-process", "dev"],
    code: 1,
    message: /no app|not assigned/,
  },
  {
    name: "role not in the SAML assertion",
    setup: (w) => w.writeConfig(config(w).replace(ENGINEER, "arn:aws:iam::123456789012:role/Nope")),
    args: ["cred-process", "dev"],
    code: 1,
    message: /role "arn:aws:iam::123456789012:role\/Nope" is not in Okta's SAML assertion/,
  },
  {
    name: "STS AccessDenied",
    setup: (w) => {
      w.sim.state.roles[ENGINEER] = { trusts: ["arn:aws:iam::123456789012:saml-provider/Other"] };
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /AWS denied AssumeRoleWithSAML/,
  },
  {
    name: "STS throttling that does not stop",
    setup: (w) => {
      w.sim.state.faults.push(stsThrottlingFault("sts:AssumeRoleWithSAML", 10));
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /throttled/,
  },
  {
    name: "STS 503 from a proxy",
    setup: (w) => {
      w.sim.state.faults.push({
        match: "sts:AssumeRoleWithSAML",
        status: 503,
        body: "<html>busy</html>",
        contentType: "text/html",
      });
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /STS answered HTTP 503/,
  },
  {
    name: "Okta answers a proxy's HTML error page",
    setup: (w) => {
      coldOkta(w);
      w.sim.state.faults.push({
        match: "POST /api/v1/authn",
        status: 502,
        body: "<html>bad gateway</html>",
        contentType: "text/html",
      });
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /502/,
  },
  {
    name: "Okta connection refused",
    setup: async (w) => {
      const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = probe.addr.port;
      probe.close();
      await setOktaDomain(w, `http://127.0.0.1:${port}`);
    },
    args: ["cred-process", "dev"],
    code: 1,
    message: /connection to 127\.0\.0\.1:\d+ refused/,
  },
  {
    name: "exec of a missing program",
    args: ["exec", "dev", "--", "no-such-program-xyz"],
    code: 127,
    message: /cannot run "no-such-program-xyz": command not found/,
  },
];

defineCases(CASES);
