/**
 * Classifies the page Okta serves for the AWS app link: the SAML form (logged in), the sign-in page
 * (no session), the MFA step-up page (session lacks a factor), or an error page. The status code
 * alone does not tell these apart; the page content does.
 *
 * A real HTML parser (htmlparser2, loaded lazily) reads the page, so attribute order, quoting, case
 * and entities in the SAMLResponse value are handled the way a browser would.
 *
 * @module
 */

/** What the AWS app link answered. */
export type AppPage =
  | { kind: "saml"; samlResponse: string; relayState?: string; action?: string }
  | { kind: "signin" }
  | { kind: "stepup"; stateToken: string }
  | { kind: "error"; status: number };

/** Finds `stateToken = '…'`, `stateToken: "…"` and `"stateToken":"…"` in page scripts. */
const STATE_TOKEN_PATTERN = /\bstateToken["']?\s*[:=]\s*(["'])((?:\\.|(?!\1)[^\\\r\n])*)\1/g;

/** Reads an app-link page. */
export async function parseAppPage(html: string, status: number): Promise<AppPage> {
  const { Parser } = await import("htmlparser2");
  let samlResponse: string | undefined;
  let relayState: string | undefined;
  let action: string | undefined;
  let formAction: string | undefined;
  let inScript = false;
  const scripts: string[] = [];

  const parser = new Parser({
    onopentag(name, attributes) {
      if (name === "form") {
        formAction = attributes.action;
      } else if (name === "input") {
        const field = attributes.name?.toLowerCase();
        if (field === "samlresponse" && samlResponse === undefined) {
          samlResponse = (attributes.value ?? "").replace(/\s+/g, "");
          action = formAction;
        } else if (field === "relaystate" && relayState === undefined) {
          relayState = attributes.value ?? "";
        }
      } else if (name === "script") {
        inScript = true;
        scripts.push("");
      }
    },
    ontext(text) {
      if (inScript) scripts[scripts.length - 1] += text;
    },
    onclosetag(name) {
      if (name === "form") formAction = undefined;
      else if (name === "script") inScript = false;
    },
  });
  parser.write(html);
  parser.end();

  if (samlResponse !== undefined && samlResponse !== "") {
    const page: AppPage = { kind: "saml", samlResponse };
    if (relayState !== undefined) page.relayState = relayState;
    if (action !== undefined) page.action = action;
    return page;
  }
  for (const script of scripts) {
    for (const match of script.matchAll(STATE_TOKEN_PATTERN)) {
      const token = unescapeJs(match[2] ?? "");
      if (token) return { kind: "stepup", stateToken: token };
    }
  }
  if (status >= 400) return { kind: "error", status };
  // Without SAML or a step-up token, a successful page is Okta asking the user to sign in.
  return { kind: "signin" };
}

/** Undoes JavaScript string escapes (`\x2D`, `\u002D`, `\u{2D}`, `\\`, `\'`, `\n`, …). */
export function unescapeJs(text: string): string {
  return text.replace(
    /\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|([\s\S]))/g,
    (_all, hex2?: string, braced?: string, hex4?: string, single?: string) => {
      const code = hex2 ?? braced ?? hex4;
      if (code !== undefined) {
        const point = Number.parseInt(code, 16);
        return point <= 0x10ffff ? String.fromCodePoint(point) : "";
      }
      switch (single) {
        case "n":
          return "\n";
        case "r":
          return "\r";
        case "t":
          return "\t";
        case "b":
          return "\b";
        case "f":
          return "\f";
        case "v":
          return "\v";
        case "0":
          return "\0";
        default:
          return single ?? "";
      }
    },
  );
}
