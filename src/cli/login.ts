/**
 * `aws-okta login <profile>`: opens the AWS console signed in as the profile's role, or prints the
 * sign-in URL with `-s`.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** The login command. */
export const loginCommand = defineCommand({
  name: "login",
  summary: "Open the AWS console signed in as the profile's role",
  description:
    "login signs in to the AWS console through the AWS federation endpoint with the profile's credentials\n" +
    "(the configured role, after every hop of its chain) and opens it in your browser ($BROWSER, else\n" +
    "xdg-open, open or the Windows URL handler). The console opens in the profile's region, in the right\n" +
    "partition (aws, aws-us-gov, aws-cn). The sign-in URL is valid for 15 minutes.\n\n" +
    "--okta-app opens the profile's Okta AWS app instead, as aws-okta did for profiles with their own\n" +
    "aws_saml_url: AWS's SAML page then lets you pick any role the app grants.",
  args: [{ name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" }],
  flags: [
    ...CREDENTIAL_FLAGS,
    {
      name: "stdout",
      short: "s",
      type: "boolean",
      description: "Print the sign-in URL instead of opening it",
    },
    {
      name: "okta-app",
      type: "boolean",
      description: "Open the Okta AWS app instead of federating the role",
    },
  ],
  examples: [
    { description: "Open the console", command: "aws-okta login okta-dev" },
    {
      description: "Print the URL (e.g. for another browser profile)",
      command: "aws-okta login -s prod-admin",
    },
  ],
  action: async (input) => {
    const ctx = appContext(input, "tty");
    const { consoleLogin } = await import("../app/login.ts");
    const result = await consoleLogin(ctx, {
      credentials: credentialRequest(input),
      oktaApp: input.flags["okta-app"],
    });
    if (input.flags.stdout) {
      writeStdout(`${result.url}\n`);
      return;
    }
    const { openSignInPage } = await import("../app/signin_page.ts");
    await openSignInPage(result.url, ctx.env);
    ctx.prompter.say(
      result.kind === "federation"
        ? `Opened the AWS console (${result.destination}) in your browser`
        : "Opened the Okta AWS app in your browser",
    );
  },
});
