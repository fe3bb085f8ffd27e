/**
 * Reads the pages of Duo's frameless Universal Prompt: the plugin form of
 * `/frame/frameless/v4/auth`, the older server-rendered `login-form` of `/frame/prompt`, the
 * `xsrf_token` in the base data of the React pages, and the newest single-page prompt (recognised
 * so that it can be reported, not followed).
 *
 * A real HTML parser (htmlparser2, loaded lazily) reads them, so quoting, attribute order and
 * Duo's `&#x2f;`-style entities are handled as a browser would.
 *
 * @module
 */

/** A form's fields and where it posts. */
export interface DuoForm {
  /** The `action` attribute as written (undefined: the page's own URL). */
  action?: string;
  /** Input name → value; the first input of a name wins. */
  fields: Record<string, string>;
}

/** The 2023 prompt's `login-form`: its hidden fields, plus the devices it offers. */
export interface DuoLoginForm extends DuoForm {
  /** `<select name="device">` option values, e.g. ["phone1", "phone2"]. */
  devices: string[];
}

/** What a Duo page holds. */
export interface DuoPage {
  /** `form#plugin_form`, when present. */
  pluginForm?: DuoForm;
  /** `form#login-form`, when present. */
  loginForm?: DuoLoginForm;
  /** The `xsrf_token` of the page's JSON data, when present. */
  xsrfToken?: string;
  /** Whether this is the newest single-page prompt (an element with `data-authkey`). */
  singlePage: boolean;
}

/**
 * Inputs that belong to one method of the login form rather than to the form as a whole. Only the
 * form's direct children are the form's own fields (its script posts those); the rest sit in the
 * per-device method rows.
 */
const PER_METHOD_FIELDS = new Set(["factor", "passcode"]);

const XSRF_PATTERN = /"xsrf_token"\s*:\s*"([^"\\]+)"/;

/** Parses a Duo page. */
export async function readDuoPage(html: string): Promise<DuoPage> {
  const { Parser } = await import("htmlparser2");
  const page: DuoPage = { singlePage: false };
  let form: { id: string; value: DuoForm | DuoLoginForm; depth: number } | undefined;
  let inDeviceSelect = false;
  let scriptText: string | undefined;

  const parser = new Parser({
    onopentag(name, attributes) {
      if (attributes["data-authkey"] !== undefined) page.singlePage = true;
      if (form) form.depth++;
      switch (name) {
        case "form": {
          const id = attributes.id ?? "";
          if (id === "plugin_form" && !page.pluginForm) {
            const value: DuoForm = withAction({ fields: {} }, attributes.action);
            page.pluginForm = value;
            form = { id, value, depth: 0 };
          } else if (id === "login-form" && !page.loginForm) {
            const value: DuoLoginForm = withAction({ fields: {}, devices: [] }, attributes.action);
            page.loginForm = value;
            form = { id, value, depth: 0 };
          } else {
            form = undefined;
          }
          break;
        }
        case "input": {
          const field = attributes.name;
          if (!form || !field || Object.hasOwn(form.value.fields, field)) break;
          if (form.id === "login-form" && (form.depth > 1 || PER_METHOD_FIELDS.has(field))) break;
          form.value.fields[field] = attributes.value ?? "";
          break;
        }
        case "select":
          inDeviceSelect = form?.id === "login-form" && attributes.name === "device";
          break;
        case "option":
          if (inDeviceSelect && form && "devices" in form.value && attributes.value) {
            form.value.devices.push(attributes.value);
          }
          break;
        case "script":
          scriptText = "";
          break;
      }
    },
    ontext(text) {
      if (scriptText !== undefined) scriptText += text;
    },
    onclosetag(name) {
      if (form) form.depth--;
      if (name === "form") form = undefined;
      else if (name === "select") inDeviceSelect = false;
      else if (name === "script" && scriptText !== undefined) {
        const token = XSRF_PATTERN.exec(scriptText)?.[1];
        if (token !== undefined) page.xsrfToken ??= token;
        scriptText = undefined;
      }
    },
  });
  parser.write(html);
  parser.end();
  return page;
}

function withAction<T extends DuoForm>(form: T, action: string | undefined): T {
  if (action !== undefined && action !== "") form.action = action;
  return form;
}
