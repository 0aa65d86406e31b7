/**
 * Mail templates: Handlebars files in templates/ (`<name>.txt.hbs` and `<name>.html.hbs`).
 * A deployment overrides one by putting a file of the same name in its own templates folder.
 * Text parts are compiled without escaping; HTML parts escape every `{{value}}`, so customer-supplied
 * strings can never inject markup ({{{triple}}} is for our own pre-rendered HTML only).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { AppError } from "../errors.js";
import type { OutgoingKind } from "./headers.js";

/** One template per kind of outgoing mail. */
export type TemplateName = OutgoingKind;

export interface RenderedBody {
  text: string;
  html: string;
}

export interface TemplateRenderer {
  render(name: TemplateName, data: object): RenderedBody;
}

/** The repo's templates/ folder, from src/outbox or dist/outbox alike. */
export function bundledTemplatesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "templates");
}

export function createTemplateRenderer(opts: { overrideDir?: string | null } = {}): TemplateRenderer {
  const hb = Handlebars.create();
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("join", (items: unknown, sep: unknown) =>
    Array.isArray(items) ? items.join(typeof sep === "string" ? sep : ", ") : "",
  );
  const cache = new Map<string, Handlebars.TemplateDelegate>();

  function load(file: string, escape: boolean): Handlebars.TemplateDelegate {
    const cached = cache.get(file);
    if (cached) return cached;
    const candidates = [opts.overrideDir ? join(opts.overrideDir, file) : null, join(bundledTemplatesDir(), file)];
    const path = candidates.find((p): p is string => p !== null && existsSync(p));
    if (!path) throw new AppError("E_TEMPLATE_MISSING", `mail template ${file} not found in ${candidates.filter(Boolean).join(" or ")}`);
    try {
      const compiled = hb.compile(readFileSync(path, "utf8"), { noEscape: !escape, strict: false });
      cache.set(file, compiled);
      return compiled;
    } catch (error) {
      throw new AppError("E_TEMPLATE_INVALID", `mail template ${path} does not compile: ${(error as Error).message}`, {}, { cause: error });
    }
  }

  return {
    render(name, data) {
      return {
        text: load(`${name}.txt.hbs`, false)(data).replace(/\n{3,}/g, "\n\n").trimEnd() + "\n",
        html: load(`${name}.html.hbs`, true)(data),
      };
    },
  };
}
