/**
 * aws-okta under the name okta-aws-cli, through the `okta-aws-cli` link `make install` puts beside
 * the launcher (or the one beside AWS_OKTA_E2E_BIN): scripts written for okta-aws-cli v2.6.0 run
 * unchanged (eval of its env-var output, a credential_process line run by the real AWS CLI), and
 * every output format is compared with okta-aws-cli's format strings byte for byte.
 */

import assert from "node:assert/strict";
import { DEMO_CLIENT_ID } from "../sim/idx_state.ts";
import { requirePeer } from "../peers.ts";
import { assertIncludes, createWorld, expectCode, type World } from "./harness.ts";

const AWS = requirePeer("aws", "pip install awscli");
const ROOT = new URL("../../", import.meta.url).pathname;
const ENGINEER = "arn:aws:iam::123456789012:role/Engineer";
const OKTA_IDP = "arn:aws:iam::123456789012:saml-provider/Okta";

/** `<bin>/okta-aws-cli`: beside AWS_OKTA_E2E_BIN, else from `make install` into `prefix`. */
async function installLink(prefix: string): Promise<string> {
  const installed = Deno.env.get("AWS_OKTA_E2E_BIN");
  if (installed) return installed.replace(/aws-okta$/, "okta-aws-cli");
  const make = await new Deno.Command("make", {
    args: ["--no-print-directory", "install", `PREFIX=${prefix}`],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(make.code, 0, new TextDecoder().decode(make.stderr));
  const link = `${prefix}/bin/okta-aws-cli`;
  assert.equal(await Deno.readLink(link), "aws-okta", "make install links okta-aws-cli to the launcher");
  return link;
}

function flags(world: World): string[] {
  return ["-o", world.sim.url, "-c", DEMO_CLIENT_ID];
}

/** The credentials the simulator issued for an access key id. */
function issued(world: World, accessKeyId: string) {
  const creds = world.sim.state.credentials.get(accessKeyId);
  assert.ok(creds, `the simulator issued ${accessKeyId}`);
  return creds;
}

/** RFC 3339 as Go's time.Format(time.RFC3339) writes a UTC time. */
function goRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

async function sh(
  world: World,
  script: string,
  bin: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("sh", {
    args: ["-c", script],
    env: { ...world.env, PATH: `${bin}:${world.env.PATH}`, AWS_PAGER: "", AWS_DEFAULT_REGION: "us-east-1" },
    clearEnv: true,
    cwd: world.home,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

Deno.test("okta-aws-cli mode through the installed link: its scripts, formats, flags and .env", async (t) => {
  const prefix = await Deno.makeTempDir({ prefix: "aws-okta-install-" });
  const world = await createWorld();
  try {
    const link = await installLink(prefix);
    const bin = link.replace(/\/okta-aws-cli$/, "");
    const run = (args: string[], options: Parameters<World["run"]>[1] = {}) =>
      world.run(args, { ...options, command: [link] });

    await t.step(
      "no subcommand means web; env-var is okta-aws-cli's export lines, byte for byte",
      async () => {
        const result = await run([...flags(world), "-r", ENGINEER]);
        expectCode(result, 0);
        const id = /^export AWS_ACCESS_KEY_ID=(\S+)$/m.exec(result.stdout)?.[1] ?? "";
        const creds = issued(world, id);
        assert.equal(
          result.stdout,
          `export AWS_ACCESS_KEY_ID=${id}\nexport AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}\n` +
            `export AWS_SESSION_TOKEN=${creds.sessionToken}\n`,
        );
        assert.equal(creds.roleArn, ENGINEER);
        const legacy = await run([...flags(world), "-r", ENGINEER, "-l"]);
        expectCode(legacy, 0);
        const token = /^export AWS_SESSION_TOKEN=(\S+)$/m.exec(legacy.stdout)?.[1];
        assert.ok(
          legacy.stdout.endsWith(`export AWS_SESSION_TOKEN=${token}\nexport AWS_SECURITY_TOKEN=${token}\n`),
        );
      },
    );

    await t.step("-v and --version answer as okta-aws-cli; bare okta-aws-cli prints help", async () => {
      for (const flag of ["-v", "--version"]) {
        const result = await run([flag]);
        expectCode(result, 0);
        assert.match(result.stdout, /^okta-aws-cli version 2\.6\.0 \(aws-okta \d+\.\d+\.\d+\)\n$/);
      }
      const help = await run([]);
      expectCode(help, 0);
      assertIncludes(help.stdout, "okta-aws-cli <command> [flags]");
    });

    await t.step({
      name: 'eval "$(okta-aws-cli -o … -c … -r …)" then the AWS CLI, unchanged',
      ignore: !AWS,
      fn: async () => {
        const script =
          `eval "$(okta-aws-cli -o '${world.sim.url}' -c ${DEMO_CLIENT_ID} -r ${ENGINEER})" && ` +
          `aws sts get-caller-identity --output json`;
        const result = await sh(world, script, bin);
        assert.equal(result.code, 0, result.stderr);
        assert.match(JSON.parse(result.stdout).Arn, /:assumed-role\/Engineer\//);
      },
    });

    await t.step(
      "process-credentials: okta-aws-cli's JSON, no trailing newline; run by the AWS CLI",
      async () => {
        const result = await run([
          "web",
          ...flags(world),
          "-i",
          OKTA_IDP,
          "-r",
          ENGINEER,
          "-f",
          "process-credentials",
        ]);
        expectCode(result, 0);
        const id = JSON.parse(result.stdout).AccessKeyId;
        const creds = issued(world, id);
        assert.equal(
          result.stdout,
          `{\n  "AccessKeyId": "${id}",\n  "SecretAccessKey": "${creds.secretAccessKey}",\n` +
            `  "SessionToken": "${creds.sessionToken}",\n  "Version": 1,\n` +
            `  "Expiration": "${goRfc3339(creds.expiresAt)}"\n}`,
        );
        if (!AWS) return;
        // The credential_process line from okta-aws-cli's README, run by the real AWS CLI.
        await Deno.writeTextFile(
          world.configFile,
          `[profile okta]\ncredential_process = okta-aws-cli web --oidc-client-id ${DEMO_CLIENT_ID} ` +
            `--org-domain ${world.sim.url} --format process-credentials --aws-iam-idp ${OKTA_IDP} ` +
            `--aws-iam-role ${ENGINEER} --open-browser-command true\n`,
        );
        const aws = await sh(world, "aws sts get-caller-identity --profile okta --output json", bin);
        assert.equal(aws.code, 0, aws.stderr);
        assert.match(JSON.parse(aws.stdout).Arn, /:assumed-role\/Engineer\//);
      },
    );

    await t.step(
      "--write-aws-credentials comments out the keys it no longer writes, as okta-aws-cli",
      async () => {
        const file = `${world.home}/.aws/credentials`;
        await Deno.writeTextFile(
          file,
          "# mine\n[work]\naws_access_key_id = OLD\naws_security_token = OLDTOKEN\nx_security_token_expires = 2020-01-01T00:00:00Z\noutput = json\n",
        );
        const result = await run([...flags(world), "-r", ENGINEER, "-p", "work", "-z"]);
        expectCode(result, 0);
        assert.equal(result.stdout, "");
        assertIncludes(
          result.stderr,
          'WARNING: Commented out "work" profile keys "aws_security_token", "x_security_token_expires". ' +
            "Uncomment if third party tools use these values.\n",
        );
        const text = await Deno.readTextFile(file);
        assertIncludes(
          text,
          "# aws_security_token = OLDTOKEN\n# x_security_token_expires = 2020-01-01T00:00:00Z\n",
        );
        assertIncludes(text, "output = json\n");
        assert.doesNotMatch(text, /aws_access_key_id = OLD\n/);
        // With -l and -x they are written again, live.
        const both = await run([...flags(world), "-r", ENGINEER, "-p", "work", "-z", "-l", "-x"]);
        expectCode(both, 0);
        assert.match(
          await Deno.readTextFile(file),
          /\naws_security_token = \S+\nx_security_token_expires = \S+\n/,
        );
      },
    );

    await t.step(
      "--short-user-agent: Okta sees User-Agent okta-aws-cli; every Okta call names the operation",
      async () => {
        world.sim.state.requests.length = 0;
        expectCode(await run([...flags(world), "-r", ENGINEER, "-y", "-f", "noop"]), 0);
        const okta = world.sim.state.requests.filter((request) => !request.key.startsWith("sts:"));
        assert.ok(okta.length > 0);
        for (const request of okta) {
          assert.equal(request.userAgent, "okta-aws-cli", request.key);
          assert.equal(request.oktaAwsCliOperation, "web", request.key);
        }
        world.sim.state.requests.length = 0;
        expectCode(await run([...flags(world), "-r", ENGINEER, "-f", "noop"]), 0);
        for (const request of world.sim.state.requests.filter((request) => !request.key.startsWith("sts:"))) {
          assert.match(request.userAgent ?? "", /^aws-okta\//, request.key);
        }
      },
    );

    await t.step("./.env holds the settings, as okta-aws-cli reads it; the environment wins", async () => {
      const dir = `${world.home}/project`;
      await Deno.mkdir(dir);
      await Deno.writeTextFile(
        `${dir}/.env`,
        `# okta-aws-cli settings\nOKTA_AWSCLI_ORG_DOMAIN=${world.sim.url}\n` +
          `export OKTA_AWSCLI_OIDC_CLIENT_ID="${DEMO_CLIENT_ID}"\nOKTA_AWSCLI_IAM_ROLE: '${ENGINEER}' # engineers\n` +
          "OKTA_AWSCLI_FORMAT=process-credentials\n",
      );
      // Bare okta-aws-cli prints help, there as here: .env users name the command.
      const result = await run(["web"], { cwd: dir });
      expectCode(result, 0);
      assert.equal(issued(world, JSON.parse(result.stdout).AccessKeyId).roleArn, ENGINEER);
      const env = await run(["web"], { cwd: dir, env: { OKTA_AWSCLI_FORMAT: "env-var" } });
      expectCode(env, 0);
      assert.match(env.stdout, /^export AWS_ACCESS_KEY_ID=/);
      // Under the name aws-okta, .env is not read.
      const plain = await world.run(["web"], { cwd: dir });
      expectCode(plain, 2);
      assertIncludes(plain.stderr, "missing --org-domain");
    });

    await t.step("--open-browser-command is split as okta-aws-cli splits it, the URL appended", async () => {
      const opener = `${world.home}/my browser`;
      await Deno.writeTextFile(opener, `#!/bin/sh\nprintf '%s %s' "$1" "$2" > "$HOME/opened"\n`, {
        mode: 0o755,
      });
      // Log out of Okta (forget the kept tokens) so the sign-in page is opened.
      await Deno.remove(`${world.home}/.aws-okta`, { recursive: true });
      const command = `"${opener.replace(" ", "\\ ")}" --incognito`;
      const result = await run([...flags(world), "-r", ENGINEER, "-m", command, "-f", "noop"]);
      expectCode(result, 0);
      let opened = "";
      for (let i = 0; i < 100 && !opened; i++) {
        opened = await Deno.readTextFile(`${world.home}/opened`).catch(() => "");
        if (!opened) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(opened, /^--incognito http:\/\/127\.0\.0\.1:\d+\/activate\?user_code=/);
    });

    await t.step(
      "web on a bare runner (no keyring, no passphrase, no terminal) keeps no tokens",
      async () => {
        const env = {
          AWS_OKTA_FILE_PASSPHRASE: undefined,
          AWS_OKTA_PROMPT: undefined,
          AWS_OKTA_BACKEND: undefined,
        };
        // setsid: no controlling terminal, as on a CI runner.
        const result = await world.run([...flags(world), "-r", ENGINEER], {
          env,
          command: ["setsid", "-w", link],
        });
        expectCode(result, 0);
        assert.match(result.stdout, /^export AWS_ACCESS_KEY_ID=/);
        const notes = result.stderr.split("\n").filter((line) => line.includes("not kept"));
        assert.equal(notes.length, 1, result.stderr);
        assertIncludes(notes[0]!, "AWS_OKTA_FILE_PASSPHRASE");
        // Decided before the sign-in, not found out after the user approved it.
        assert.ok(
          result.stderr.indexOf("not kept") < result.stderr.indexOf("/activate?user_code="),
          result.stderr,
        );
        assert.doesNotMatch(result.stderr, /passphrase to unlock|no answer/);
      },
    );
  } finally {
    await world.close();
    await Deno.remove(prefix, { recursive: true }).catch(() => {});
  }
});
