/**
 * `aws-okta eks-token <profile> --cluster-name NAME`: an ExecCredential with an EKS bearer token,
 * for kubectl's exec credential plugins.
 *
 * @module
 */

import { defineCommand } from "./framework/command.ts";
import { CREDENTIAL_FLAGS, credentialRequest } from "./credential_flags.ts";
import { appContext } from "./context.ts";
import { writeStdout } from "./output.ts";

/** The eks-token command. */
export const eksTokenCommand = defineCommand({
  name: "eks-token",
  summary: "Print an EKS token for kubectl (ExecCredential JSON)",
  description:
    "eks-token prints a client.authentication.k8s.io ExecCredential whose token is what aws-iam-authenticator\n" +
    "verifies: a presigned STS GetCallerIdentity URL for the cluster, signed with the profile's credentials.\n" +
    "Tokens are valid for 15 minutes and kubectl is told to ask again after 14; no AWS CLI is needed.\n" +
    "Use it as the exec command of a kubeconfig user (see the README's EKS section).",
  args: [{ name: "profile", required: true, complete: "profile", description: "Profile in your AWS config" }],
  flags: [
    ...CREDENTIAL_FLAGS,
    {
      name: "cluster-name",
      short: "c",
      type: "string",
      valueName: "NAME",
      description: "EKS cluster name (required)",
      required: true,
    },
    {
      name: "region",
      short: "r",
      type: "string",
      valueName: "REGION",
      description:
        "Region of the STS endpoint that signs (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)",
    },
  ],
  examples: [
    { description: "Print a token", command: "aws-okta eks-token okta-dev --cluster-name prod" },
    {
      description: "In ~/.kube/config",
      command:
        "users:\n- name: prod\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n" +
        "      command: aws-okta\n      args: [eks-token, okta-dev, --cluster-name, prod]",
    },
  ],
  action: async (input) => {
    const clusterName = input.flags["cluster-name"];
    const region = input.flags.region;
    const ctx = appContext(input, "tty");
    const { eksExecCredential } = await import("../app/eks_token.ts");
    writeStdout(
      await eksExecCredential(ctx, {
        credentials: credentialRequest(input),
        clusterName,
        ...(region ? { region } : {}),
      }),
    );
  },
});
