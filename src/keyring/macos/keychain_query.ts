/**
 * What the Keychain backend asks the Keychain, as plain data: each query a list of Security
 * framework constants and values ({@linkcode keychainQuery}), turned into CoreFoundation objects
 * only by security_framework.ts, so that what we ask is tested on every OS. Also the OSStatus codes
 * we react to and how they read.
 *
 * @module
 */

import { type KeyringItem, SERVICE_NAME } from "../keyring.ts";

/** The Keychain service of every item (Go aws-okta's service name). */
export const SERVICE = SERVICE_NAME;

/** A value in a Keychain query, before it becomes a CoreFoundation object. */
export type QueryValue =
  | { string: string }
  | { data: Uint8Array }
  | { constant: SecConstant }
  | { boolean: boolean };

/** Security framework constants we use (exported CFStringRef globals). */
export const SEC_CONSTANT_NAMES = [
  "kSecClass",
  "kSecClassGenericPassword",
  "kSecAttrService",
  "kSecAttrAccount",
  "kSecAttrLabel",
  "kSecAttrDescription",
  "kSecValueData",
  "kSecReturnData",
  "kSecReturnAttributes",
  "kSecMatchLimit",
  "kSecMatchLimitOne",
  "kSecMatchLimitAll",
] as const;

/** One of {@linkcode SEC_CONSTANT_NAMES}. */
export type SecConstant = typeof SEC_CONSTANT_NAMES[number];

/** A query: CFDictionary entries in order. */
export type Query = [SecConstant, QueryValue][];

/** What each Keychain call is asked. */
export type QueryKind = "get" | "match" | "add" | "update" | "list";

/**
 * Describes the query for `kind`: "get" reads one item's data and attributes, "match" names one
 * item (for update and delete), "add" creates one, "update" holds the attributes to change, "list"
 * returns every item's attributes.
 */
export function keychainQuery(kind: QueryKind, key = "", item?: KeyringItem): Query {
  const base: Query = [["kSecClass", { constant: "kSecClassGenericPassword" }], ["kSecAttrService", {
    string: SERVICE,
  }]];
  const account: [SecConstant, QueryValue] = ["kSecAttrAccount", { string: key }];
  switch (kind) {
    case "get":
      return [
        ...base,
        account,
        ["kSecMatchLimit", { constant: "kSecMatchLimitOne" }],
        ["kSecReturnData", { boolean: true }],
        ["kSecReturnAttributes", { boolean: true }],
      ];
    case "match":
      return [...base, account];
    case "add":
      return [...base, account, ...itemAttributes(item!)];
    case "update":
      return itemAttributes(item!);
    case "list":
      return [...base, ["kSecMatchLimit", { constant: "kSecMatchLimitAll" }], ["kSecReturnAttributes", {
        boolean: true,
      }]];
  }
}

function itemAttributes(item: KeyringItem): Query {
  const attributes: Query = [
    // Go aws-okta's label ("okta credentials"), so Keychain Access shows both tools' items alike.
    ["kSecAttrLabel", { string: item.label || item.key }],
    ["kSecValueData", { data: item.data }],
  ];
  if (item.description) attributes.push(["kSecAttrDescription", { string: item.description }]);
  return attributes;
}

/** OSStatus codes we react to. */
export const OSStatus = {
  success: 0,
  userCanceled: -128,
  authFailed: -25293,
  noSuchKeychain: -25294,
  duplicateItem: -25299,
  itemNotFound: -25300,
  interactionNotAllowed: -25308,
} as const;

/** A readable reason for an OSStatus (SecCopyErrorMessageString is used when available). */
export function osStatusText(status: number): string {
  switch (status) {
    case OSStatus.userCanceled:
      return "access was denied in the Keychain prompt";
    case OSStatus.authFailed:
      return "the Keychain password was wrong";
    case OSStatus.noSuchKeychain:
      return "no default keychain";
    case OSStatus.duplicateItem:
      return "the item already exists";
    case OSStatus.itemNotFound:
      return "the item was not found";
    case OSStatus.interactionNotAllowed:
      return "the Keychain is locked and cannot ask for its password here (e.g. over SSH)";
    default:
      return `OSStatus ${status}`;
  }
}

/** A hint for an OSStatus failure. */
export function osStatusHint(status: number): string {
  if (status === OSStatus.interactionNotAllowed) {
    return `run "security unlock-keychain" first, or use --backend file`;
  }
  return "use --backend file if the Keychain is not usable here";
}
