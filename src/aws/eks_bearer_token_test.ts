import assert from "node:assert/strict";
import { canonicalRequest, sha256Hex, signature } from "../../tests/sim/sigv4.ts";
import type { AwsCredentials } from "./credentials.ts";
import {
  decodeEksToken,
  eksToken,
  execCredentialJson,
  requestedExecVersion,
  TOKEN_PREFIX,
} from "./eks_bearer_token.ts";
import { AppError } from "../errors.ts";
import { requirePythonModule } from "../../tests/peers.ts";

const NOW = new Date("2024-05-01T12:00:00.000Z");
const CREDS: AwsCredentials = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  // "+", "/" and "=" must be percent-encoded in the query and in the canonical query alike.
  sessionToken: "IQo+Jb3/JpZ2=",
  expiration: new Date("2024-05-01T13:00:00Z"),
};

function token(overrides: Partial<Parameters<typeof eksToken>[0]> = {}) {
  return eksToken({
    creds: CREDS,
    clusterName: "my-cluster",
    stsUrl: "https://sts.us-west-2.amazonaws.com",
    signingRegion: "us-west-2",
    now: NOW,
    ...overrides,
  });
}

/** botocore presigns the same request the way `aws eks get-token` does, with a fixed clock. */
const BOTOCORE_PRESIGN = `
import datetime, json, sys
from unittest import mock
import botocore.session
from botocore import auth
p = json.loads(sys.argv[1])
fixed = datetime.datetime(2024, 5, 1, 12, 0, 0)
class FixedClock(datetime.datetime):
    @classmethod
    def utcnow(cls): return fixed
    @classmethod
    def now(cls, tz=None): return fixed.replace(tzinfo=tz) if tz else fixed
with mock.patch.object(auth.datetime, "datetime", FixedClock):
    client = botocore.session.get_session().create_client(
        "sts", region_name=p["region"], aws_access_key_id=p["id"], aws_secret_access_key=p["secret"],
        aws_session_token=p.get("token"))
    def add_cluster(request, **kwargs):
        request.headers["x-k8s-aws-id"] = p["cluster"]
    client.meta.events.register("before-sign.sts.GetCallerIdentity", add_cluster)
    print(client.generate_presigned_url("get_caller_identity", Params={}, ExpiresIn=60, HttpMethod="GET"))
`;

async function botocorePresign(region: string, cluster: string, sessionToken?: string): Promise<string> {
  const params = JSON.stringify({
    region,
    cluster,
    id: CREDS.accessKeyId,
    secret: CREDS.secretAccessKey,
    ...(sessionToken ? { token: sessionToken } : {}),
  });
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (!name.startsWith("AWS_")) env[name] = value;
  }
  const output = await new Deno.Command(PYTHON!, {
    args: ["-c", BOTOCORE_PRESIGN, params],
    env: { ...env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(
    output.code,
    0,
    `python3 with botocore is needed for this test (pyenv python has it): ${stderr}`,
  );
  return new TextDecoder().decode(output.stdout).trim();
}

const PYTHON = await requirePythonModule("botocore", "pip install botocore (pyenv python has it)");

Deno.test("eks-token: the presigned URL is byte-for-byte what botocore (aws eks get-token) signs", {
  ignore: PYTHON === undefined,
}, async () => {
  for (
    const [region, cluster, sessionToken] of [
      ["us-west-2", "my-cluster", CREDS.sessionToken],
      ["eu-central-1", "prod_cluster-2", CREDS.sessionToken],
      ["us-east-1", "my-cluster", undefined],
    ] as const
  ) {
    const creds = { ...CREDS, sessionToken: sessionToken ?? "" };
    const result = await token({
      creds,
      clusterName: cluster,
      stsUrl: `https://sts.${region}.amazonaws.com`,
      signingRegion: region,
    });
    const expected = await botocorePresign(region, cluster, sessionToken);
    assert.equal(decodeEksToken(result.token).href, expected, `${region} ${cluster}`);
  }
});

Deno.test("eks-token: the signature verifies with the simulator's independent SigV4 code", async () => {
  const url = decodeEksToken((await token()).token);
  const query = url.searchParams;
  assert.equal(query.get("Action"), "GetCallerIdentity");
  assert.equal(query.get("Version"), "2011-06-15");
  assert.equal(query.get("X-Amz-Expires"), "60");
  assert.equal(query.get("X-Amz-SignedHeaders"), "host;x-k8s-aws-id");
  assert.equal(query.get("X-Amz-Security-Token"), CREDS.sessionToken);
  assert.equal(query.get("X-Amz-Credential"), `${CREDS.accessKeyId}/20240501/us-west-2/sts/aws4_request`);

  const unsigned = url.search.replace(/&X-Amz-Signature=[0-9a-f]+$/, "");
  const headers = new Headers({ host: url.host, "x-k8s-aws-id": "my-cluster" });
  const canonical = canonicalRequest({
    method: "GET",
    pathname: url.pathname,
    search: unsigned,
    headers,
    signedHeaders: ["host", "x-k8s-aws-id"],
    payloadHash: await sha256Hex(""),
  });
  const scope = { date: "20240501", region: "us-west-2", service: "sts" };
  const expected = await signature(CREDS.secretAccessKey, "20240501T120000Z", scope, canonical);
  assert.equal(query.get("X-Amz-Signature"), expected);

  // The cluster name is part of what is signed: another cluster gives another signature.
  headers.set("x-k8s-aws-id", "other-cluster");
  const other = canonicalRequest({
    method: "GET",
    pathname: url.pathname,
    search: unsigned,
    headers,
    signedHeaders: ["host", "x-k8s-aws-id"],
    payloadHash: await sha256Hex(""),
  });
  assert.notEqual(
    query.get("X-Amz-Signature"),
    await signature(CREDS.secretAccessKey, "20240501T120000Z", scope, other),
  );
});

Deno.test("eks-token: base64url without padding, and 14 minutes of validity", async () => {
  for (const cluster of ["a", "ab", "abc", "my-cluster", "c?&=/+ü"]) {
    const result = await token({ clusterName: cluster });
    assert.ok(result.token.startsWith(TOKEN_PREFIX));
    assert.match(result.token.slice(TOKEN_PREFIX.length), /^[A-Za-z0-9_-]+$/);
    assert.equal(result.expiration.toISOString(), "2024-05-01T12:14:00.000Z");
  }
  // Never later than the credentials themselves.
  const short = await token({ creds: { ...CREDS, expiration: new Date("2024-05-01T12:06:00Z") } });
  assert.equal(short.expiration.toISOString(), "2024-05-01T12:06:00.000Z");
});

Deno.test("eks-token: a custom STS endpoint keeps its scheme and port", async () => {
  const url = decodeEksToken(
    (await token({ stsUrl: "http://127.0.0.1:8443/", signingRegion: "us-east-1" })).token,
  );
  assert.equal(url.origin, "http://127.0.0.1:8443");
  assert.equal(url.pathname, "/");
});

Deno.test("eks-token: empty or blank cluster names are refused", async () => {
  for (const name of ["", "two words", "tab\there"]) {
    await assert.rejects(token({ clusterName: name }), (error) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^invalid cluster name/);
      return true;
    });
  }
});

Deno.test("eks-token: ExecCredential document", async () => {
  const result = await token();
  const document = JSON.parse(execCredentialJson(result, "client.authentication.k8s.io/v1beta1"));
  assert.deepEqual(document, {
    kind: "ExecCredential",
    apiVersion: "client.authentication.k8s.io/v1beta1",
    spec: {},
    status: { expirationTimestamp: "2024-05-01T12:14:00Z", token: result.token },
  });
});

Deno.test("eks-token: the ExecCredential version follows KUBERNETES_EXEC_INFO", () => {
  assert.equal(requestedExecVersion(undefined), "client.authentication.k8s.io/v1beta1");
  assert.equal(requestedExecVersion(""), "client.authentication.k8s.io/v1beta1");
  assert.equal(
    requestedExecVersion(
      '{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{}}',
    ),
    "client.authentication.k8s.io/v1",
  );
  assert.throws(
    () => requestedExecVersion('{"apiVersion":"client.authentication.k8s.io/v1alpha1"}'),
    /unsupported ExecCredential apiVersion "client.authentication.k8s.io\/v1alpha1"/,
  );
  assert.throws(() => requestedExecVersion("{"), /invalid JSON in KUBERNETES_EXEC_INFO/);
});
