import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { stsEndpoint } from "./sts_endpoint.ts";

function env(vars: Record<string, string> = {}) {
  return { get: (name: string) => vars[name] };
}

const AWS_ROLE = "arn:aws:iam::111111111111:role/Engineer";
const GOV_ROLE = "arn:aws-us-gov:iam::111111111111:role/Engineer";
const CN_ROLE = "arn:aws-cn:iam::111111111111:role/Engineer";

Deno.test("AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL and every other setting", () => {
  const vars = {
    AWS_ENDPOINT_URL_STS: "http://127.0.0.1:5000/",
    AWS_ENDPOINT_URL: "http://127.0.0.1:6000",
    AWS_USE_FIPS_ENDPOINT: "true",
    AWS_STS_REGIONAL_ENDPOINTS: "legacy",
  };
  assert.deepEqual(stsEndpoint({ env: env(vars), region: "eu-west-1" }, AWS_ROLE), {
    url: "http://127.0.0.1:5000",
    signingRegion: "eu-west-1",
  });
});

Deno.test("AWS_ENDPOINT_URL applies when AWS_ENDPOINT_URL_STS is unset or empty", () => {
  const vars = { AWS_ENDPOINT_URL_STS: " ", AWS_ENDPOINT_URL: "https://proxy.example.com/sts" };
  assert.deepEqual(stsEndpoint({ env: env(vars) }, GOV_ROLE), {
    url: "https://proxy.example.com/sts",
    signingRegion: "us-gov-west-1",
  });
});

Deno.test("a custom endpoint with no region signs for the partition's default region", () => {
  const vars = { AWS_ENDPOINT_URL_STS: "http://localhost:4566" };
  assert.equal(stsEndpoint({ env: env(vars) }, AWS_ROLE).signingRegion, "us-east-1");
  assert.equal(stsEndpoint({ env: env(vars) }, CN_ROLE).signingRegion, "cn-north-1");
});

Deno.test("a bad endpoint override is a one-line error naming the variable", () => {
  assert.throws(
    () => stsEndpoint({ env: env({ AWS_ENDPOINT_URL_STS: "not a url" }) }),
    (error: unknown) =>
      error instanceof AppError && error.message === 'invalid AWS_ENDPOINT_URL_STS "not a url"',
  );
  assert.throws(
    () => stsEndpoint({ env: env({ AWS_ENDPOINT_URL: "ftp://example.com" }) }),
    /invalid AWS_ENDPOINT_URL "ftp:\/\/example.com": scheme must be http or https/,
  );
  // Signed calls carry session tokens: plain http only to this machine.
  assert.throws(
    () => stsEndpoint({ env: env({ AWS_ENDPOINT_URL_STS: "http://sts.example.com" }) }),
    /invalid AWS_ENDPOINT_URL_STS "http:\/\/sts.example.com": plain http is allowed only to this machine/,
  );
  assert.throws(
    () => stsEndpoint({ env: env({ AWS_ENDPOINT_URL: "http://10.1.2.3:4566" }) }),
    /plain http is allowed only to this machine/,
  );
});

Deno.test("a region selects its regional endpoint", () => {
  assert.deepEqual(stsEndpoint({ env: env(), region: "us-west-2" }, AWS_ROLE), {
    url: "https://sts.us-west-2.amazonaws.com",
    signingRegion: "us-west-2",
  });
  // The region decides, even if the role ARN names another partition.
  assert.deepEqual(stsEndpoint({ env: env(), region: "eu-south-2" }), {
    url: "https://sts.eu-south-2.amazonaws.com",
    signingRegion: "eu-south-2",
  });
});

Deno.test("China regions use the amazonaws.com.cn domain", () => {
  assert.deepEqual(stsEndpoint({ env: env(), region: "cn-northwest-1" }, CN_ROLE), {
    url: "https://sts.cn-northwest-1.amazonaws.com.cn",
    signingRegion: "cn-northwest-1",
  });
});

Deno.test("GovCloud regions use their regional endpoint", () => {
  assert.deepEqual(stsEndpoint({ env: env(), region: "us-gov-east-1" }, GOV_ROLE), {
    url: "https://sts.us-gov-east-1.amazonaws.com",
    signingRegion: "us-gov-east-1",
  });
});

Deno.test("AWS_USE_FIPS_ENDPOINT=true selects the FIPS host", () => {
  const fips = env({ AWS_USE_FIPS_ENDPOINT: "TRUE" });
  assert.deepEqual(stsEndpoint({ env: fips, region: "us-east-2" }), {
    url: "https://sts-fips.us-east-2.amazonaws.com",
    signingRegion: "us-east-2",
  });
  // No region: the aws partition's FIPS host in us-east-1 (there is no global FIPS endpoint).
  assert.deepEqual(stsEndpoint({ env: fips }, AWS_ROLE), {
    url: "https://sts-fips.us-east-1.amazonaws.com",
    signingRegion: "us-east-1",
  });
  // GovCloud's regular hosts are the FIPS ones.
  assert.equal(
    stsEndpoint({ env: fips, region: "us-gov-west-1" }).url,
    "https://sts.us-gov-west-1.amazonaws.com",
  );
  assert.equal(
    stsEndpoint({ env: env({ AWS_USE_FIPS_ENDPOINT: "false" }), region: "us-east-2" }).url,
    "https://sts.us-east-2.amazonaws.com",
  );
});

Deno.test("AWS_STS_REGIONAL_ENDPOINTS=legacy sends the classic regions to the global endpoint", () => {
  const legacy = env({ AWS_STS_REGIONAL_ENDPOINTS: "legacy" });
  assert.deepEqual(stsEndpoint({ env: legacy, region: "eu-west-1" }), {
    url: "https://sts.amazonaws.com",
    signingRegion: "us-east-1",
  });
  // Opt-in regions never had a global fallback.
  assert.deepEqual(stsEndpoint({ env: legacy, region: "af-south-1" }), {
    url: "https://sts.af-south-1.amazonaws.com",
    signingRegion: "af-south-1",
  });
  assert.equal(
    stsEndpoint({ env: env({ AWS_STS_REGIONAL_ENDPOINTS: "regional" }), region: "eu-west-1" }).url,
    "https://sts.eu-west-1.amazonaws.com",
  );
});

Deno.test("no region: the role's partition picks global, us-gov-west-1 or cn-north-1", () => {
  assert.deepEqual(stsEndpoint({ env: env() }, AWS_ROLE), {
    url: "https://sts.amazonaws.com",
    signingRegion: "us-east-1",
  });
  assert.deepEqual(stsEndpoint({ env: env() }), {
    url: "https://sts.amazonaws.com",
    signingRegion: "us-east-1",
  });
  assert.deepEqual(stsEndpoint({ env: env() }, GOV_ROLE), {
    url: "https://sts.us-gov-west-1.amazonaws.com",
    signingRegion: "us-gov-west-1",
  });
  assert.deepEqual(stsEndpoint({ env: env() }, CN_ROLE), {
    url: "https://sts.cn-north-1.amazonaws.com.cn",
    signingRegion: "cn-north-1",
  });
  assert.deepEqual(stsEndpoint({ env: env(), region: "" }, GOV_ROLE).signingRegion, "us-gov-west-1");
});

Deno.test("the aws-global pseudo-region is the global endpoint", () => {
  assert.deepEqual(stsEndpoint({ env: env(), region: "aws-global" }), {
    url: "https://sts.amazonaws.com",
    signingRegion: "us-east-1",
  });
});

Deno.test("a region that could smuggle a host name is rejected", () => {
  for (const region of ["evil.com/", "us-west-2.attacker", "US-WEST-2", "us west"]) {
    assert.throws(
      () => stsEndpoint({ env: env(), region }),
      (error: unknown) => error instanceof AppError && error.message === `invalid AWS region "${region}"`,
    );
  }
});
