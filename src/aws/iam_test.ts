import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import type { AwsCredentials } from "./credentials.ts";
import { listAccountAliases } from "./iam.ts";

const CREDS: AwsCredentials = {
  accessKeyId: "ASIAEXAMPLEEXAMPLE00",
  secretAccessKey: "secret",
  sessionToken: "token",
  expiration: new Date("2030-01-01T00:00:00Z"),
};
const ROLE = "arn:aws:iam::123456789012:role/Engineer";
const ALIASES = `<ListAccountAliasesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<ListAccountAliasesResult><IsTruncated>false</IsTruncated><AccountAliases><member>acme-prod</member>
</AccountAliases></ListAccountAliasesResult></ListAccountAliasesResponse>`;

function context(env: Record<string, string>) {
  return { fetch, env: { get: (name: string) => env[name] }, now: new Date() };
}

Deno.test("iam: AWS_ENDPOINT_URL_IAM over plain http is refused unless it is this machine", async () => {
  await assert.rejects(
    listAccountAliases(context({ AWS_ENDPOINT_URL_IAM: "http://iam.example.com" }), CREDS, ROLE),
    (error: unknown) =>
      error instanceof AppError &&
      /invalid AWS_ENDPOINT_URL_IAM "http:\/\/iam\.example\.com": plain http is allowed only to this machine/
        .test(error.message),
  );
  await assert.rejects(
    listAccountAliases(context({ AWS_ENDPOINT_URL: "http://10.0.0.1:4566" }), CREDS, ROLE),
    /invalid AWS_ENDPOINT_URL .*plain http/,
  );
});

Deno.test("iam: a loopback AWS_ENDPOINT_URL_IAM gets the presigned ListAccountAliases", async () => {
  const seen: URL[] = [];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(new URL(request.url));
    return new Response(ALIASES, { headers: { "content-type": "text/xml" } });
  });
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  assert.deepEqual(await listAccountAliases(context({ AWS_ENDPOINT_URL_IAM: endpoint }), CREDS, ROLE), [
    "acme-prod",
  ]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.searchParams.get("Action"), "ListAccountAliases");
  assert.match(seen[0]!.searchParams.get("X-Amz-Credential") ?? "", /\/us-east-1\/iam\/aws4_request$/);
});
