import assert from "node:assert/strict";
import { AppError } from "../errors.ts";
import { createFetch } from "../net/fetch.ts";
import type { AwsCredentials } from "./credentials.ts";
import { consoleDestination, federationEndpoint, getSigninToken, loginUrl } from "./console_url.ts";

const CREDS: AwsCredentials = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  sessionToken: "IQoJb3+JpZ2luX2VjEXAMPLE=",
  expiration: new Date("2030-01-01T00:00:00Z"),
};

Deno.test("console: federation endpoints per partition, and the override", () => {
  assert.equal(federationEndpoint("aws"), "https://signin.aws.amazon.com/federation");
  assert.equal(federationEndpoint("aws-us-gov"), "https://signin.amazonaws-us-gov.com/federation");
  assert.equal(federationEndpoint("aws-cn"), "https://signin.amazonaws.cn/federation");
  assert.equal(federationEndpoint("aws", "http://127.0.0.1:9/federation"), "http://127.0.0.1:9/federation");
  assert.throws(
    () => federationEndpoint("aws", "not a url"),
    /invalid AWS_OKTA_FEDERATION_ENDPOINT "not a url"/,
  );
  assert.throws(() => federationEndpoint("aws", "ftp://x/federation"), /scheme must be http or https/);
  assert.throws(
    () => federationEndpoint("aws", "http://signin.example.com/federation"),
    /invalid AWS_OKTA_FEDERATION_ENDPOINT "http:\/\/signin.example.com\/federation": plain http is allowed only/,
  );
  assert.equal(federationEndpoint("aws", "http://localhost:9/federation"), "http://localhost:9/federation");
});

Deno.test("console: destinations per partition, regional when a region is known", () => {
  assert.equal(consoleDestination("aws"), "https://console.aws.amazon.com/");
  assert.equal(
    consoleDestination("aws", "eu-west-1"),
    "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
  );
  assert.equal(consoleDestination("aws-us-gov"), "https://console.amazonaws-us-gov.com/");
  assert.equal(
    consoleDestination("aws-us-gov", "us-gov-east-1"),
    "https://console.amazonaws-us-gov.com/console/home?region=us-gov-east-1",
  );
  assert.equal(consoleDestination("aws-cn"), "https://console.amazonaws.cn/");
  assert.equal(
    consoleDestination("aws-cn", "cn-northwest-1"),
    "https://cn-northwest-1.console.amazonaws.cn/console/home?region=cn-northwest-1",
  );
  assert.throws(
    () => consoleDestination("aws", "evil.example.com/x"),
    /invalid AWS region "evil.example.com\/x"/,
  );
});

Deno.test("console: the login URL carries Issuer, Destination and the token, encoded", () => {
  const url = new URL(loginUrl({
    endpoint: "https://signin.aws.amazon.com/federation",
    signinToken: "tok+en/=",
    destination: "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2",
    issuer: "https://acme.okta.com/home/amazon_aws/0oa1/272",
  }));
  assert.equal(url.origin + url.pathname, "https://signin.aws.amazon.com/federation");
  assert.deepEqual([...url.searchParams.keys()], ["Action", "Issuer", "Destination", "SigninToken"]);
  assert.equal(url.searchParams.get("Action"), "login");
  assert.equal(url.searchParams.get("SigninToken"), "tok+en/=");
  assert.equal(
    url.searchParams.get("Destination"),
    "https://us-west-2.console.aws.amazon.com/console/home?region=us-west-2",
  );
  assert.equal(url.searchParams.get("Issuer"), "https://acme.okta.com/home/amazon_aws/0oa1/272");
  const bare = new URL(
    loginUrl({ endpoint: "https://x/federation", signinToken: "t", destination: "https://d/" }),
  );
  assert.equal(bare.searchParams.has("Issuer"), false);
});

/** A loopback federation endpoint that records what it was sent. */
async function withEndpoint(
  answer: (form: URLSearchParams) => Response,
  fn: (endpoint: string, seen: { url: URL; form: URLSearchParams }[]) => Promise<void>,
): Promise<void> {
  const seen: { url: URL; form: URLSearchParams }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const form = new URLSearchParams(await request.text());
    seen.push({ url: new URL(request.url), form });
    return answer(form);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/federation`, seen);
  } finally {
    await server.shutdown();
  }
}

Deno.test("console: getSigninToken posts the session JSON in the body and reads the token", async () => {
  await withEndpoint(() => Response.json({ SigninToken: "the-token" }), async (endpoint, seen) => {
    const fetch = createFetch();
    assert.equal(await getSigninToken(fetch, { endpoint, creds: CREDS, sessionDuration: 3600 }), "the-token");
    const { url, form } = seen[0]!;
    assert.equal(url.search, "", "nothing secret in the URL");
    assert.equal(form.get("Action"), "getSigninToken");
    assert.equal(form.get("SessionDuration"), "3600");
    assert.deepEqual(JSON.parse(form.get("Session")!), {
      sessionId: CREDS.accessKeyId,
      sessionKey: CREDS.secretAccessKey,
      sessionToken: CREDS.sessionToken,
    });

    await getSigninToken(fetch, { endpoint, creds: CREDS });
    assert.equal(seen[1]!.form.has("SessionDuration"), false, "no SessionDuration for chained credentials");
    await getSigninToken(fetch, { endpoint, creds: CREDS, sessionDuration: 100 });
    assert.equal(seen[2]!.form.get("SessionDuration"), "900");
    await getSigninToken(fetch, { endpoint, creds: CREDS, sessionDuration: 90000.5 });
    assert.equal(seen[3]!.form.get("SessionDuration"), "43200");
  });
});

Deno.test("console: refusals and odd answers are one line without secrets", async () => {
  const answers = [
    new Response("<html>Bad Request</html>", { status: 400 }),
    new Response("<html>ok?</html>", { status: 200 }),
    Response.json({ Other: 1 }),
  ];
  let index = 0;
  await withEndpoint(() => answers[index++]!, async (endpoint) => {
    const fetch = createFetch();
    for (
      const expected of [/refused the credentials: HTTP 400/, /answered without a sign-in token/, /without/]
    ) {
      await assert.rejects(getSigninToken(fetch, { endpoint, creds: CREDS }), (error) => {
        assert.ok(error instanceof AppError);
        assert.match(error.message, expected);
        const text = `${error.message} ${error.hint}`;
        for (const secret of [CREDS.secretAccessKey, CREDS.sessionToken]) assert.ok(!text.includes(secret));
        assert.ok(!text.includes("\n"));
        return true;
      });
    }
  });
});
