/**
 * `aws-okta add`: store Okta credentials in the keyring after checking them with a real login.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { appContext } from "./context.ts";

/** The add command. */
export const addCommand = defineCommand({
  name: "add",
  summary: "Add your Okta credentials to the keyring",
  description:
    "add asks for your Okta organization, region, domain, username and password, checks them with a\n" +
    "real login (MFA included), and stores them in the keyring. When stdin is not a terminal, the\n" +
    "answers are read from it, one per line.",
  flags: [
    {
      name: "domain",
      type: "string",
      valueName: "DOMAIN",
      description: "Okta domain (acme.okta.com or https://host:port)",
    },
    { name: "username", type: "string", valueName: "USER", description: "Okta username" },
    {
      name: "account",
      type: "string",
      valueName: "NAME",
      description: "Store as a named account (okta-creds-NAME), for okta_account_name",
    },
  ],
  examples: [
    { description: "Interactive", command: "aws-okta add" },
    {
      description: "A second Okta account",
      command: "aws-okta add --account account-b --domain acme.okta.com",
    },
  ],
  action: async (input) => {
    const ctx = appContext(input, "stdin");
    const { addCredentials } = await import("../app/add.ts");
    const { domain, username, account } = input.flags;
    const result = await addCredentials(ctx, {
      ...(domain ? { domain } : {}),
      ...(username ? { username } : {}),
      ...(account ? { account } : {}),
    });
    ctx.prompter.say(`Added credentials for user ${result.username} (keyring item "${result.key}")`);
  },
});
