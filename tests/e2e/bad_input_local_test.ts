/**
 * Bad input on this machine: config files the AWS SDK would refuse too, bad values inside them,
 * environment variables, and paths aws-okta cannot read or write. Same checks as every catalogue
 * case (see bad_input_support.ts).
 *
 * The tests run as root, so "unwritable" and "unreadable" are made with paths that fail for root
 * too: a directory where a file is expected, a path under a regular file, and /proc.
 */

import { type BadInputCase, config, defineCases } from "./bad_input_support.ts";

const ROLE_B = "arn:aws:iam::123456789012:role/B";

const CASES: BadInputCase[] = [
  {
    name: "config file is a directory",
    setup: (w) => Deno.mkdir(`${w.home}/config-dir`),
    env: (w) => ({ AWS_CONFIG_FILE: `${w.home}/config-dir` }),
    args: ["cred-process", "dev"],
    code: 1,
    message: /cannot read ".*config-dir": is a directory/,
  },
  {
    name: "config file with a [__proto__] section (the AWS SDK refuses it too)",
    setup: (w) => w.writeConfig(config(w, "\n[__proto__]\nregion = us-east-1\n")),
    args: ["cred-process", "dev"],
    code: 1,
    message: /cannot parse ".*config" line 7: invalid section name "__proto__"/,
  },
  {
    name: "config file with a [profile __proto__] section",
    setup: (w) => w.writeConfig(config(w, "\n[profile __proto__]\nregion = us-east-1\n")),
    args: ["cred-process", "dev"],
    code: 1,
    message: /cannot parse ".*config" line 7: invalid section name "profile __proto__"/,
  },
  {
    name: "config file of binary garbage has no profiles",
    setup: (w) => Deno.writeFile(w.configFile, new Uint8Array([0xff, 0xfe, 0x00, 0x5b, 0x00, 0x0a, 0x80])),
    args: ["cred-process", "dev"],
    code: 1,
    message: /profile "dev" not found in ".*config"; the file has no profiles/,
  },
  {
    name: "source_profile that does not exist",
    setup: (w) => w.writeConfig(config(w, `\n[profile b]\nsource_profile = missing\nrole_arn = ${ROLE_B}\n`)),
    args: ["cred-process", "b"],
    code: 1,
    message: /profile "missing" \(source_profile of "b"\) not found in ".*config"/,
  },
  {
    name: "duration_seconds that is not a number",
    setup: (w) =>
      w.writeConfig(
        config(w, `\n[profile b]\nsource_profile = dev\nrole_arn = ${ROLE_B}\nduration_seconds = abc\n`),
      ),
    args: ["cred-process", "b"],
    code: 1,
    message: /invalid duration_seconds "abc" in profile "b": use whole seconds from 900 to 43200/,
  },
  {
    name: "duration_seconds below AWS's minimum",
    setup: (w) =>
      w.writeConfig(
        config(w, `\n[profile b]\nsource_profile = dev\nrole_arn = ${ROLE_B}\nduration_seconds = 100\n`),
      ),
    args: ["cred-process", "b"],
    code: 1,
    message: /invalid duration_seconds "100" in profile "b"/,
  },
  {
    name: "assume_role_ttl that is not a duration",
    setup: (w) => w.writeConfig(config(w, "assume_role_ttl = 1x\n")),
    args: ["cred-process", "dev"],
    code: 1,
    message: /invalid assume_role_ttl "1x" in profile "dev": use a number with a unit/,
  },
  {
    name: "okta_auth_flow that does not exist",
    setup: (w) => w.writeConfig(config(w, "okta_auth_flow = banana\n")),
    args: ["cred-process", "dev"],
    code: 2,
    message: /invalid okta_auth_flow "banana" for profile "dev"; use classic, device or auto/,
  },
  {
    name: "bad --assume-role-ttl",
    args: ["exec", "-a", "1y", "dev", "--", "true"],
    code: 2,
    message: /invalid duration "1y" for --assume-role-ttl/,
  },
  {
    name: "unknown AWS_OKTA_BACKEND",
    args: ["cred-process", "dev"],
    env: { AWS_OKTA_BACKEND: "vault" },
    code: 2,
    message: /unknown keyring backend "vault"/,
  },
  {
    name: "AWS_OKTA_HTTP_TIMEOUT_SECONDS that is not a number",
    args: ["cred-process", "--refresh", "dev"],
    env: { AWS_OKTA_HTTP_TIMEOUT_SECONDS: "abc" },
    code: 2,
    message: /invalid AWS_OKTA_HTTP_TIMEOUT_SECONDS "abc"/,
  },
  {
    name: "AWS_ENDPOINT_URL_STS that is not a URL",
    args: ["cred-process", "--refresh", "dev"],
    env: { AWS_ENDPOINT_URL_STS: "not a url" },
    code: 1,
    message: /invalid AWS_ENDPOINT_URL_STS "not a url"/,
  },
  {
    name: "AWS_CA_BUNDLE that does not exist",
    args: ["cred-process", "--refresh", "dev"],
    env: (w) => ({ AWS_CA_BUNDLE: `${w.home}/no-such-ca.pem` }),
    code: 1,
    message: /cannot read the CA bundle ".*no-such-ca\.pem" \(AWS_CA_BUNDLE\)/,
  },
  {
    name: "empty AWS_OKTA_FILE_PASSPHRASE",
    args: ["cred-process", "dev"],
    env: { AWS_OKTA_FILE_PASSPHRASE: "" },
    code: 1,
    message:
      /AWS_OKTA_FILE_PASSPHRASE is empty; set it to the file keyring's passphrase, or unset it to be asked/,
  },
  {
    name: "no passphrase and no terminal to ask for it",
    args: ["cred-process", "dev"],
    env: { AWS_OKTA_FILE_PASSPHRASE: undefined },
    code: 1,
    // The harness reads answers from stdin only (AWS_OKTA_PROMPT=stdin), and the message says so.
    message:
      /no answer for "Enter passphrase to unlock .*": stdin is closed and answers are read from stdin only/,
  },
  {
    name: "keyring directory under a regular file",
    env: (w) => ({ AWS_OKTA_FILE_DIR: `${w.configFile}/keyring` }),
    args: ["cred-process", "dev"],
    code: 1,
    message: /cannot read ".*config\/keyring\/.*": not a directory/i,
  },
  {
    name: "lock directory under a regular file",
    env: (w) => ({ AWS_OKTA_LOCK_DIR: `${w.configFile}/locks` }),
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /cannot create the lock directory ".*config\/locks": not a directory; set AWS_OKTA_LOCK_DIR/,
  },
  // /proc is Linux's: macOS has no place where root may not write.
  ...(Deno.build.os !== "linux" ? [] : [{
    name: "credentials file where nobody may write, root included (/proc)",
    args: ["write-to-credentials", "dev", "/proc/aws-okta-credentials"],
    code: 1,
    message: /cannot write "\/proc\/aws-okta-credentials": no write permission/,
  }]),
  {
    name: "aws_saml_url on another host than the Okta domain",
    setup: (w) =>
      w.writeConfig(config(w, "aws_saml_url = https://evil.example.com/home/amazon_aws/0oa1/272\n")),
    args: ["cred-process", "--refresh", "dev"],
    code: 1,
    message: /another host "evil\.example\.com"/,
  },
];

defineCases(CASES);
