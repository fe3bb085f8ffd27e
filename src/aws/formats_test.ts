import assert from "node:assert/strict";
import { findExecutable, requirePeer } from "../../tests/peers.ts";
import { AppError } from "../errors.ts";
import type { AwsCredentials } from "./credentials.ts";
import {
  childEnv,
  credentialEnv,
  credentialProcessJson,
  EXEC_UNSET_VARS,
  exportLines,
  type Shell,
} from "./formats.ts";

const CREDS: AwsCredentials = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
  expiration: new Date(Date.UTC(2024, 4, 1, 13, 0, 0, 789)),
  assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
};

function throwsApp(fn: () => unknown, message: string) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${error}`);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("credentialProcessJson writes the AWS CLI document in key order, UTC without milliseconds", () => {
  assert.equal(
    credentialProcessJson(CREDS, false),
    '{"Version":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",' +
      '"SessionToken":"IQoJb3JpZ2luX2VjEXAMPLE+token/=","Expiration":"2024-05-01T13:00:00Z"}\n',
  );
  assert.equal(
    credentialProcessJson(CREDS, true),
    `{
    "Version": 1,
    "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
    "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
    "Expiration": "2024-05-01T13:00:00Z"
}
`,
  );
});

Deno.test("credentialEnv sets the aws-okta exec variables", () => {
  assert.deepEqual(credentialEnv({ creds: CREDS, profile: "okta-dev", region: "eu-west-1" }), {
    AWS_ACCESS_KEY_ID: "ASIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    AWS_SESSION_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
    AWS_SECURITY_TOKEN: "IQoJb3JpZ2luX2VjEXAMPLE+token/=",
    AWS_OKTA_PROFILE: "okta-dev",
    AWS_OKTA_ASSUMED_ROLE_ARN: "arn:aws:sts::111111111111:assumed-role/Engineer/alice@example.com",
    AWS_OKTA_ASSUMED_ROLE: "Engineer",
    AWS_OKTA_SESSION_EXPIRATION: "1714568400",
    AWS_CREDENTIAL_EXPIRATION: "2024-05-01T13:00:00Z",
    AWS_REGION: "eu-west-1",
    AWS_DEFAULT_REGION: "eu-west-1",
  });
});

Deno.test("credentialEnv prefers the GetCallerIdentity ARN and leaves out what is unknown", () => {
  const { assumedRoleArn: _, ...bare } = CREDS;
  const withIdentity = credentialEnv({
    creds: bare,
    profile: "p",
    assumedRoleArn: "arn:aws:sts::222222222222:assumed-role/Deploy/alice",
  });
  assert.equal(withIdentity.AWS_OKTA_ASSUMED_ROLE_ARN, "arn:aws:sts::222222222222:assumed-role/Deploy/alice");
  assert.equal(withIdentity.AWS_OKTA_ASSUMED_ROLE, "Deploy");
  const minimal = credentialEnv({ creds: bare, profile: "p" });
  assert.ok(!("AWS_OKTA_ASSUMED_ROLE_ARN" in minimal));
  assert.ok(!("AWS_OKTA_ASSUMED_ROLE" in minimal));
  assert.ok(!("AWS_REGION" in minimal));
  assert.ok(!("AWS_DEFAULT_REGION" in minimal));
});

Deno.test("childEnv drops stale credentials and profile selections, keeps the rest, adds the new values", () => {
  const parent: Record<string, string> = { PATH: "/usr/bin", HOME: "/home/a", AWS_REGION: "us-east-2" };
  for (const name of EXEC_UNSET_VARS) parent[name] = "stale";
  assert.deepEqual(
    [...EXEC_UNSET_VARS].sort(),
    [
      "AWS_ACCESS_KEY_ID",
      "AWS_CREDENTIAL_FILE",
      "AWS_DEFAULT_PROFILE",
      "AWS_OKTA_PROFILE",
      "AWS_PROFILE",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SECURITY_TOKEN",
      "AWS_SESSION_TOKEN",
    ],
  );
  const env = childEnv(parent, { AWS_ACCESS_KEY_ID: "new", AWS_REGION: "eu-west-1" });
  assert.deepEqual(env, {
    PATH: "/usr/bin",
    HOME: "/home/a",
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "new",
  });
  assert.equal(parent.AWS_PROFILE, "stale", "the parent is not modified");
  // exec --server also drops the parent's container-provider variables.
  assert.deepEqual(
    childEnv({ ...parent, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/x" }, {}, [
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ]),
    { PATH: "/usr/bin", HOME: "/home/a", AWS_REGION: "us-east-2" },
  );
});

Deno.test("childEnv never hands aws-okta's secret inputs to the child", () => {
  const env = childEnv({
    PATH: "/usr/bin",
    AWS_OKTA_FILE_PASSPHRASE: "unlocks the Okta password",
    OKTA_AWSCLI_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----",
  }, { AWS_ACCESS_KEY_ID: "new" });
  assert.deepEqual(env, { PATH: "/usr/bin", AWS_ACCESS_KEY_ID: "new" });
});

Deno.test("childEnv gives the child the user's DENO_DIR and DENO_NO_UPDATE_CHECK, not the launcher's", () => {
  const launched = {
    PATH: "/usr/bin",
    AWS_OKTA_LAUNCHER: "1",
    DENO_DIR: "/opt/aws-okta/lib/aws-okta/cache",
    DENO_NO_UPDATE_CHECK: "1",
    AWS_OKTA_USER_DENO_DIR: "/home/a/.cache/deno",
  };
  // The user had a DENO_DIR and no DENO_NO_UPDATE_CHECK: the child gets exactly that.
  assert.deepEqual(childEnv(launched, {}), { PATH: "/usr/bin", DENO_DIR: "/home/a/.cache/deno" });
  // The user had no DENO_DIR and an empty DENO_NO_UPDATE_CHECK.
  const { AWS_OKTA_USER_DENO_DIR: _, ...withoutDir } = launched;
  assert.deepEqual(
    childEnv({ ...withoutDir, AWS_OKTA_USER_DENO_NO_UPDATE_CHECK: "" }, {}),
    { PATH: "/usr/bin", DENO_NO_UPDATE_CHECK: "" },
  );
  // Not started by the launcher (deno run, the compiled binary): DENO_DIR is the user's own.
  assert.deepEqual(childEnv({ PATH: "/usr/bin", DENO_DIR: "/d" }, {}), { PATH: "/usr/bin", DENO_DIR: "/d" });
});

Deno.test("exportLines writes each shell's assignment syntax", () => {
  const vars = { A: "it's", B: "x y" };
  assert.equal(exportLines(vars, "bash"), "export A='it'\\''s'\nexport B='x y'\n");
  assert.equal(exportLines(vars, "zsh"), exportLines(vars, "bash"));
  assert.equal(exportLines(vars, "sh"), exportLines(vars, "bash"));
  assert.equal(exportLines({ A: "it's \\ ok" }, "fish"), "set -gx A 'it\\'s \\\\ ok'\n");
  assert.equal(exportLines({ A: "it's ‘x’" }, "powershell"), "$Env:A = 'it''s ‘‘x’’'\n");
  assert.equal(exportLines({ A: "a&b|c<d>e^f g" }, "cmd"), 'set "A=a&b|c<d>e^f g"\n');
  assert.equal(exportLines({}, "bash"), "");
});

Deno.test("exportLines writes AWS keys and other plain words bare for POSIX shells and fish, as Go", () => {
  const keys = { AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey };
  assert.equal(
    exportLines(keys, "bash"),
    "export AWS_ACCESS_KEY_ID=ASIAIOSFODNN7EXAMPLE\n" +
      "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n",
  );
  assert.equal(exportLines({ T: CREDS.sessionToken }, "fish"), `set -gx T ${CREDS.sessionToken}\n`);
  assert.equal(
    exportLines({ R: "arn:aws:iam::1:role/a@b,c-d.e%f" }, "sh"),
    "export R=arn:aws:iam::1:role/a@b,c-d.e%f\n",
  );
  // Quoted: empty, blanks, and what zsh (=cmd at the start or after ":") or fish (leading %) expand.
  for (const value of ["", "a b", "=ls", "x:=ls", "%self", "~", "a*"]) {
    assert.equal(exportLines({ V: value }, "zsh"), `export V='${value}'\n`, value);
  }
  assert.equal(exportLines({ V: "%self" }, "fish"), "set -gx V '%self'\n");
  // PowerShell and cmd keep their quoting: it is part of their syntax.
  assert.equal(exportLines({ V: "x" }, "powershell"), "$Env:V = 'x'\n");
  assert.equal(exportLines({ V: "x" }, "cmd"), 'set "V=x"\n');
});

Deno.test("exportLines refuses what a shell cannot carry, without echoing the value", () => {
  for (
    const [value, what] of [
      ["50%", 'the character "%"'],
      ["hi!", 'the character "!"'],
      ['say "x"', `the character '"'`],
      ["a\nb", "a line break"],
      ["a\rb", "a line break"],
    ]
  ) {
    throwsApp(
      () => exportLines({ SECRET: value! }, "cmd"),
      `cannot write "SECRET" for cmd: its value holds ${what}`,
    );
  }
  for (const shell of ["bash", "fish", "powershell"] as const) {
    throwsApp(
      () => exportLines({ K: "a\0b" }, shell),
      `cannot write "K" for ${shell}: its value holds a NUL character`,
    );
  }
  throwsApp(() => exportLines({ "BAD-NAME": "x" }, "bash"), 'invalid environment variable name "BAD-NAME"');
  throwsApp(() => exportLines({ "A=B": "x" }, "sh"), 'invalid environment variable name "A=B"');
});

// ---------------------------------------------------------------------------------------------
// Round trips through the real shells: the exported value must come back byte for byte.

const ADVERSARIAL: Record<string, string> = {
  RT_QUOTES: `it's "double" ''' \`tick\` '\\''`,
  RT_DOLLAR: "$HOME ${PATH} $(id) `id` $((1+1)) $fish_pid $Env:PATH",
  RT_BACKSLASH: "back\\slash \\' \\\\ \\n \\x41 end\\",
  RT_NEWLINES: "line1\nline2\r\n\ttab\n",
  RT_SPACES: "  leading and trailing  ",
  RT_UNICODE: "naïve – 日本語 🚀 ‘smart’ “double” ‛‚",
  RT_GLOB: "* ? [a-z] ~ ! # ; & | < > ( ) { } {a,b} %PATH%",
  RT_EMPTY: "",
  RT_TOKEN: CREDS.sessionToken,
  // Written bare: each character of the bare set, and the expansions that force quotes.
  RT_BARE: "arn:aws:iam::1:role/a_b@c,d-e.f%g+h=i",
  RT_ZSH_EQUALS: "=ls",
  RT_ZSH_COLON_EQUALS: "x:=ls",
  RT_FISH_PERCENT: "%self",
  RT_DASH: "-n",
};

const SHELL_BINARIES: { binary: string; shell: Shell; args: (file: string) => string[] }[] = [
  { binary: "bash", shell: "bash", args: (file) => ["--norc", "--noprofile", file] },
  { binary: "sh", shell: "sh", args: (file) => [file] },
  { binary: "dash", shell: "sh", args: (file) => [file] },
  { binary: "zsh", shell: "zsh", args: (file) => ["-f", file] },
  { binary: "fish", shell: "fish", args: (file) => ["--no-config", file] },
  { binary: "pwsh", shell: "powershell", args: (file) => ["-NoProfile", "-NonInteractive", "-File", file] },
];

for (const { binary, shell, args } of SHELL_BINARIES) {
  // PowerShell is not packaged for Debian: outside Windows its round trip runs where it is installed.
  const path = binary === "pwsh" && Deno.build.os !== "windows"
    ? findExecutable(binary)
    : requirePeer(binary);
  Deno.test({
    name: `exportLines(${shell}) round-trips adversarial values through ${binary}`,
    ignore: path === undefined,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "aws-okta-shell-" });
      try {
        const file = `${dir}/script.${shell === "powershell" ? "ps1" : shell}`;
        // `env -0` is an external program, so it sees exactly what the shell exported.
        await Deno.writeTextFile(file, `${exportLines(ADVERSARIAL, shell)}env -0\n`);
        const output = await new Deno.Command(path!, {
          args: args(file),
          clearEnv: true,
          env: { HOME: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.equal(output.code, 0, `${binary} failed: ${stderr}`);
        const seen = new Map<string, string>();
        for (const entry of new TextDecoder().decode(output.stdout).split("\0")) {
          const eq = entry.indexOf("=");
          if (eq > 0) seen.set(entry.slice(0, eq), entry.slice(eq + 1));
        }
        for (const [name, value] of Object.entries(ADVERSARIAL)) {
          assert.equal(seen.get(name), value, `${binary}: ${name}`);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The AWS CLI (pyenv awscli v1) reads our credential_process output.

// Its credential_process here is a /bin/sh script, which Windows cannot run.
const AWS_CLI = Deno.build.os === "windows"
  ? undefined
  : requirePeer("aws", "pip install awscli (pyenv python has awscli v1)");

/** A loopback STS that records the credentials the CLI signed with. */
async function withIdentityServer(fn: (url: string, seen: Headers[]) => Promise<void>): Promise<void> {
  const body = await Deno.readTextFile(
    new URL("../../tests/fixtures/sts/get_caller_identity.xml", import.meta.url),
  );
  const seen: Headers[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    await request.body?.cancel();
    seen.push(request.headers);
    return new Response(body, { headers: { "content-type": "text/xml" } });
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    await server.shutdown();
  }
}

async function runAwsCli(dir: string, json: string, endpoint: string) {
  await Deno.writeTextFile(`${dir}/creds.json`, json);
  await Deno.writeTextFile(`${dir}/cred.sh`, `#!/bin/sh\ncat '${dir}/creds.json'\n`);
  await Deno.chmod(`${dir}/cred.sh`, 0o755);
  await Deno.writeTextFile(`${dir}/config`, `[profile p]\ncredential_process = ${dir}/cred.sh\n`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(Deno.env.toObject())) {
    if (!name.startsWith("AWS_")) env[name] = value;
  }
  Object.assign(env, {
    HOME: dir,
    AWS_CONFIG_FILE: `${dir}/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
    AWS_EC2_METADATA_DISABLED: "true",
  });
  const output = await new Deno.Command(AWS_CLI!, {
    args: [
      "sts",
      "get-caller-identity",
      "--profile",
      "p",
      "--region",
      "us-east-1",
      "--endpoint-url",
      endpoint,
    ],
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

Deno.test("the AWS CLI signs with the credentials of our credential_process JSON", {
  ignore: AWS_CLI === undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-cli-" });
  try {
    await withIdentityServer(async (url, seen) => {
      const creds = { ...CREDS, expiration: new Date(Date.now() + 3600_000) };
      for (const pretty of [false, true]) {
        const result = await runAwsCli(dir, credentialProcessJson(creds, pretty), url);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(JSON.parse(result.stdout).Account, "111111111111");
        const headers = seen.at(-1)!;
        assert.ok(headers.get("authorization")?.includes(`Credential=${creds.accessKeyId}/`));
        assert.equal(headers.get("x-amz-security-token"), creds.sessionToken);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the AWS CLI reads our Expiration: expired credentials are refused", {
  ignore: AWS_CLI === undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "aws-okta-cli-" });
  try {
    await withIdentityServer(async (url, seen) => {
      const creds = { ...CREDS, expiration: new Date(Date.now() - 3600_000) };
      const result = await runAwsCli(dir, credentialProcessJson(creds, false), url);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /expired/i);
      assert.equal(seen.length, 0, "the CLI never sent the expired credentials");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
