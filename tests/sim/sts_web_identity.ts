/**
 * AssumeRoleWithWebIdentity: a stub until the OIDC endpoint group exists; it answers as if the
 * action were unknown.
 *
 * @module
 */

import type { StsAction } from "./sts.ts";
import { StsError } from "./sts_xml.ts";

/** Stub handler: 400 InvalidAction. */
export const assumeRoleWithWebIdentity: StsAction = () => {
  throw new StsError(
    400,
    "InvalidAction",
    "Could not find operation AssumeRoleWithWebIdentity for version 2011-06-15",
  );
};
