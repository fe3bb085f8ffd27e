/**
 * Which Okta login a profile uses, from its config keys (looked up through the source_profile
 * chain, then `[okta]`):
 *
 * - `okta_auth_flow = classic | device | auto` (default auto): `auto` takes the device flow when the
 *   profile has an OIDC client id and the org runs Identity Engine, else the classic one;
 * - `okta_oidc_client_id`: the native OIDC app for the device flow;
 * - `okta_aws_fed_app_id`: the AWS app (else found through appLinks);
 * - `okta_org_domain`: the Okta domain (else the stored Okta credentials' domain);
 * - `okta_open_browser = true`, `okta_open_browser_command`: open the verification page;
 * - `okta_qr_code = true`: also print a QR code of it.
 *
 * Pure and free of npm imports: the cache key uses it on the cache-hit path.
 *
 * @module
 */

import type { ResolvedProfile } from "../../config/aws_config.ts";
import { AppError } from "../../errors.ts";

/** The configured flow. */
export type LoginFlow = "classic" | "device" | "auto";

/** The device-flow settings of a profile. */
export interface DeviceSettings {
  flow: LoginFlow;
  clientId?: string;
  appId?: string;
  orgDomain?: string;
  openBrowser: boolean;
  openBrowserCommand?: string;
  /** okta_qr_code = true: also print a QR code of the verification URL. */
  qrCode: boolean;
}

const FLOWS: readonly string[] = ["classic", "device", "auto"];

/** Reads the flow keys of a profile. */
export function deviceSettings(profile: ResolvedProfile): DeviceSettings {
  const text = (key: string) => {
    const value = profile.lookup(key)?.trim();
    return value ? value : undefined;
  };
  const flow = (text("okta_auth_flow") ?? "auto").toLowerCase();
  if (!FLOWS.includes(flow)) {
    throw new AppError(`invalid okta_auth_flow "${flow}" for profile "${profile.name}"`, {
      hint: "use classic, device or auto",
      exitCode: 2,
    });
  }
  const command = text("okta_open_browser_command");
  const settings: DeviceSettings = {
    flow: flow as LoginFlow,
    openBrowser: isTrue(text("okta_open_browser")) || command !== undefined,
    qrCode: isTrue(text("okta_qr_code")),
  };
  const clientId = text("okta_oidc_client_id");
  if (clientId) settings.clientId = clientId;
  const appId = text("okta_aws_fed_app_id");
  if (appId) settings.appId = appId;
  const orgDomain = text("okta_org_domain");
  if (orgDomain) settings.orgDomain = orgDomain;
  if (command) settings.openBrowserCommand = command;
  return settings;
}

/** True when the profile may use the device flow (it has a client id and did not choose classic). */
export function mayUseDeviceFlow(settings: DeviceSettings): boolean {
  return settings.flow === "device" || (settings.flow === "auto" && settings.clientId !== undefined);
}

/**
 * The name of the login lock: one per Okta account for classic logins, one per org and client id
 * for the device flow, so concurrent cold calls open one browser flow.
 */
export function loginLockName(profile: ResolvedProfile): string {
  const settings = deviceSettings(profile);
  if (!mayUseDeviceFlow(settings)) return `login ${profile.credentialsKey}`;
  const org = (settings.orgDomain ?? profile.credentialsKey).toLowerCase().replace(/^https?:\/\//, "")
    .replace(/\/.*$/, "");
  return `login oidc ${org} ${settings.clientId ?? ""}`;
}

/**
 * Extra cache-key parts for device-flow profiles (their SAML comes from another app and org);
 * none for classic ones, so their cache keys stay as they were.
 */
export function deviceCacheParts(profile: ResolvedProfile): string[] {
  const settings = deviceSettings(profile);
  if (!mayUseDeviceFlow(settings)) return [];
  return ["device", settings.orgDomain ?? "", settings.clientId ?? "", settings.appId ?? ""];
}

function isTrue(value: string | undefined): boolean {
  return /^(1|t|true|yes|on)$/i.test(value ?? "");
}
