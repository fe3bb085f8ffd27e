/**
 * `exec --server`: runs a command with a local credential endpoint instead of fixed keys, so a
 * long-running child (a shell, a test suite, a deploy) gets fresh credentials from the cache, the
 * lock and, when needed, a new login, whenever its SDK refreshes.
 *
 * @module
 */

import { childEnv } from "../../aws/formats.ts";
import { credentialVars } from "./credential_vars.ts";
import { AppError, formatError, InteractionNeededError } from "../../errors.ts";
import type { AppContext } from "../context.ts";
import type { Prompter } from "../../ui/prompter.ts";
import { type CredentialRequest, getCredentials } from "../cred_process.ts";
import { startCredentialServer } from "./credential_server.ts";
import { runChild } from "./exec.ts";
import { rememberPassphrase } from "../store/remembered_passphrase.ts";

/** What to run. */
export interface ServerExecInput {
  /** The credentials to serve. */
  request: CredentialRequest;
  /** The command. */
  command: string;
  /** Its arguments. */
  args: readonly string[];
}

/** Variables of the exec environment that would pin the child to one set of keys. */
const STATIC_VARS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_OKTA_SESSION_EXPIRATION",
  "AWS_CREDENTIAL_EXPIRATION",
];

/**
 * Container-provider variables of the parent that SDKs would prefer over ours (a relative URI and
 * a token file both win over FULL_URI and the token).
 */
const CONTAINER_VARS = [
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/**
 * Logs in first (so any MFA prompt comes before the child starts), then serves credentials on
 * loopback while the child runs, and returns the child's exit code.
 *
 * Once the child runs, the terminal and stdin are the child's: a refresh never asks, pushes or
 * opens a browser. When one would need the person, the endpoint answers an error (which the
 * child's SDK reports) and one line on stderr says how to sign in again.
 */
export async function execWithCredentialServer(ctx: AppContext, input: ServerExecInput): Promise<number> {
  const person = { present: true };
  const context: AppContext = { ...ctx, prompter: rememberPassphrase(whilePresent(ctx.prompter, person)) };
  const first = await getCredentials(context, input.request);
  person.present = false;
  const background: AppContext = { ...context, interactive: false };
  // Only the first call may force a new login; later ones follow the cache like any other call.
  const { refresh: _refresh, ...later } = input.request;
  let lastError: string | undefined;
  const server = startCredentialServer({
    credentials: async () => {
      try {
        const result = await getCredentials(background, later);
        return { credentials: result.credentials, roleArn: result.roleArn };
      } catch (error) {
        if (!(error instanceof InteractionNeededError)) throw error;
        throw new AppError(error.message, {
          hint: `run "aws-okta login ${later.profile}" in a terminal, or "aws-okta exec --server" again`,
          cause: error,
        });
      }
    },
    onError: (error) => {
      const line = error instanceof AppError ? formatError(error) : String(error).split("\n")[0];
      // The one line that may reach the terminal while the child runs; an SDK's retries of the
      // same failure do not repeat it.
      if (line === lastError) return;
      lastError = line;
      ctx.prompter.say(`aws-okta: credential server: ${line}`);
    },
    debug: context.debug,
  });
  context.debug(`server: listening on ${server.url}`);
  try {
    const vars = credentialVars(first);
    for (const name of STATIC_VARS) delete vars[name];
    vars.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
    vars.AWS_CONTAINER_AUTHORIZATION_TOKEN = server.token;
    return await runChild({
      command: input.command,
      args: input.args,
      env: childEnv(ctx.env.toObject(), vars, CONTAINER_VARS),
    });
  } finally {
    await server.close();
  }
}

/**
 * `prompter` while the person is at it (the first login); afterwards questions fail with an
 * InteractionNeededError (a passphrase asked before is still answered by rememberPassphrase) and
 * progress lines go nowhere: the terminal is the child's.
 */
function whilePresent(prompter: Prompter, person: { present: boolean }): Prompter {
  const refuse = (question: string) =>
    Promise.reject(new InteractionNeededError(`an answer to "${question.trim().replace(/\s*[:?]$/, "")}"`));
  return {
    text: (question, defaultValue) =>
      person.present ? prompter.text(question, defaultValue) : refuse(question),
    secret: (question) => person.present ? prompter.secret(question) : refuse(question),
    choose: (question, options) => person.present ? prompter.choose(question, options) : refuse(question),
    say: (message) => {
      if (person.present) prompter.say(message);
    },
  };
}
