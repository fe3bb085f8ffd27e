/**
 * The document an ECS-style container credential endpoint answers with
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI): every AWS SDK and the AWS CLI read these field names.
 *
 * @module
 */

import { type AwsCredentials, formatExpiration } from "./credentials.ts";

/** `{"AccessKeyId","SecretAccessKey","Token","Expiration"}` (plus `RoleArn` when known). */
export function containerCredentialsJson(creds: AwsCredentials, roleArn?: string): string {
  return JSON.stringify({
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    Token: creds.sessionToken,
    Expiration: formatExpiration(creds.expiration),
    ...(roleArn ? { RoleArn: roleArn } : {}),
  });
}
