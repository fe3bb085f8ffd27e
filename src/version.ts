/** The aws-okta version, kept in step with deno.json by the release workflow. */
export const VERSION = "0.1.0";
