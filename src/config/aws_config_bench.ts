// Reading a large AWS config on the cred-process path (issue 10: a 12,000-profile, 1 MB config
// made a cache hit take seconds): `deno bench -P=test src/config/aws_config_bench.ts`.
import { parseAwsConfig, resolveProfile } from "./aws_config.ts";

/** A config of `count` profiles shaped like real ones: an Okta root and role hops off it. */
export function largeConfig(count: number): string {
  let text = "[okta]\naws_saml_url = home/amazon_aws/0oa1abcdEFGH2345/272\n\n";
  for (let i = 0; i < count; i++) {
    const account = String(100000000000 + i);
    text += i % 10 === 0
      ? `[profile team-${i}]\nokta_aws_role_arn = arn:aws:iam::${account}:role/Engineer\nregion = us-west-2\n` +
        `credential_process = aws-okta cred-process team-${i}\n\n`
      : `[profile team-${i}]\nsource_profile = team-${
        i - (i % 10)
      }\nrole_arn = arn:aws:iam::${account}:role/Admin\n\n`;
  }
  return text;
}

const text = largeConfig(12_000);

Deno.bench(
  `parse and resolve the last profile of a ${(text.length / 1e6).toFixed(1)} MB, 12,000-profile config`,
  () => {
    resolveProfile(parseAwsConfig(text, "config"), "team-11999");
  },
);
