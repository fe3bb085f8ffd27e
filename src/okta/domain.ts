/**
 * Okta domain handling: turns what a user typed (or stored) into the origin every Okta call is made
 * against, and maps aws-okta's organization + region prompt to a domain.
 *
 * @module
 */

import { AppError } from "../errors.ts";

/** The Okta regions aws-okta's `add` command offers, and the domain suffix each maps to. */
const REGION_SUFFIXES = {
  us: "okta.com",
  emea: "okta-emea.com",
  preview: "oktapreview.com",
} as const;

/** Hosts that may be reached over plain HTTP: only this machine (tests, `make demo`). */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * Returns the origin of the Okta org for a domain as users write it.
 *
 * "acme.okta.com" becomes https://acme.okta.com; a full "https://host:port/..." URL keeps its origin
 * and loses the path; plain "http://" is accepted only for 127.0.0.1, ::1 and localhost. A trailing
 * "-admin" on the org's first label is dropped, as okta-aws-cli does, since the admin console host
 * does not serve the end-user APIs.
 *
 * @throws {AppError} for an empty or unparsable domain, a non-HTTP scheme, or plain HTTP to another host.
 */
export function oktaBaseUrl(domain: string): URL {
  const trimmed = domain.trim();
  if (trimmed === "") {
    throw new AppError("Okta domain is empty", { hint: 'set it like "acme.okta.com"' });
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let url: URL;
  try {
    url = new URL(hasScheme ? trimmed : `https://${trimmed}`);
  } catch {
    throw new AppError(`invalid Okta domain "${trimmed}"`, { hint: 'set it like "acme.okta.com"' });
  }
  if (url.protocol === "http:") {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      throw new AppError(`refusing plain-HTTP Okta domain "${trimmed}": use https`);
    }
  } else if (url.protocol !== "https:") {
    throw new AppError(`invalid Okta domain "${trimmed}": the scheme must be https`);
  }
  if (url.hostname === "") {
    throw new AppError(`invalid Okta domain "${trimmed}"`, { hint: 'set it like "acme.okta.com"' });
  }
  // A bare org name ("acme") is a common mistake in `add`; say so instead of failing on DNS later.
  if (!url.hostname.includes(".") && !LOOPBACK_HOSTS.has(url.hostname) && !url.hostname.includes(":")) {
    throw new AppError(`invalid Okta domain "${trimmed}": not a full host name`, {
      hint: 'use the full domain, like "acme.okta.com"',
    });
  }
  const [first = "", ...rest] = url.hostname.split(".");
  if (first.endsWith("-admin") && first.length > "-admin".length && rest.length > 0) {
    url.hostname = [first.slice(0, -"-admin".length), ...rest].join(".");
  }
  return new URL(url.origin);
}

/**
 * The Okta domain for an organization name and aws-okta's region choice:
 * us → <org>.okta.com, emea → <org>.okta-emea.com, preview → <org>.oktapreview.com.
 *
 * @throws {AppError} when the organization is not a single DNS label.
 */
export function domainFor(organization: string, region: "us" | "emea" | "preview"): string {
  const org = organization.trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(org)) {
    throw new AppError(`invalid Okta organization "${organization.trim()}"`, {
      hint: 'use the first part of your Okta domain, like "acme" for acme.okta.com',
    });
  }
  return `${org}.${REGION_SUFFIXES[region]}`;
}
