/**
 * Reads the support request template's fields out of a message body (pure).
 * Customers mangle templates: any case, markdown emphasis, bullets, ":" "=" "-" "–" separators,
 * the value on the line after its label, signatures and quoted earlier mail. The reader looks at
 * one line at a time, splits it at the first separator outside parentheses, and asks whether the
 * part before it is a known label; everything else is prose and is skipped.
 */
import { stripQuotedHistory } from "./quoted.js";
import { FIELD_ALIASES, MULTILINE_FIELDS, WEAK_LABELS } from "./template-labels.js";
import type { FieldName } from "./template-labels.js";

export type { FieldName } from "./template-labels.js";
export { FIELD_LABELS, FIELD_NAMES } from "./template-labels.js";
export { normaliseEnvironment } from "./environment.js";
export type { NormalisedEnvironment } from "./environment.js";

export interface TemplateFields {
  /** Only the fields found, by name, with their raw (trimmed) values. */
  fields: Partial<Record<FieldName, string>>;
  /** Field names in the order they appear in the text. */
  found: FieldName[];
}

/** "e-mail address" and "E Mail Address" both become "emailaddress". */
const labelKey = (label: string): string => label.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

const FIELD_BY_KEY: ReadonlyMap<string, FieldName> = new Map(
  (Object.entries(FIELD_ALIASES) as Array<[FieldName, readonly string[]]>).flatMap(([field, aliases]) =>
    aliases.map((a) => [labelKey(a), field] as const),
  ),
);

interface LabelLine {
  field: FieldName;
  /** The label as written, normalised ("type"), to tell weak labels apart. */
  label: string;
  value: string;
  numbered: boolean;
}

const BULLET = /^\s*(?:[-*+•·‣◦▪]|(\d{1,2}|[a-z])[.)])\s+/i;
const CLOSING =
  /^(thanks|thank you|many thanks|thanks in advance|thx|regards|best regards|kind regards|warm regards|best|cheers|sincerely|br|greetings|saludos|atenciosamente|obrigado|mit freundlichen grüßen|vielen dank)[\s,.!]*$/i;
const SIGNATURE_DELIMITER = /^(--|-- |_{5,}|sent from my .*)$/i;

export interface ReadOptions {
  /** A forwarded message: its Outlook-style header block is the request, not history (see isForwardSubject). */
  isForward?: boolean;
}

export function readTemplate(text: string, opts: ReadOptions = {}): TemplateFields {
  const lines = prepare(text, opts);
  const fields: Partial<Record<FieldName, string>> = {};
  const found: FieldName[] = [];
  let i = 0;
  while (i < lines.length) {
    const label = matchLabel(lines[i]!);
    if (!label || fields[label.field] !== undefined) {
      i++;
      continue;
    }
    const { value, next } = MULTILINE_FIELDS.has(label.field)
      ? collectMultiline(lines, i, label.value, found)
      : collectSingle(lines, i, label.value);
    const cleaned = finishValue(label.field, value);
    if (cleaned) {
      fields[label.field] = cleaned;
      found.push(label.field);
    }
    i = next;
  }
  deriveVersions(fields, found);
  return { fields, found };
}

/** "Product and version: Konneqt Gateway 3.2" and "Client: Java SDK 1.5.2" also answer the version fields. */
function deriveVersions(fields: Partial<Record<FieldName, string>>, found: FieldName[]): void {
  const pairs: Array<[FieldName, FieldName]> = [
    ["product", "version"],
    ["clientApp", "clientVersion"],
  ];
  for (const [from, to] of pairs) {
    const version = fields[from] !== undefined && fields[to] === undefined ? VERSION.exec(fields[from]!)?.[1] : undefined;
    if (version) {
      fields[to] = version;
      found.push(to);
    }
  }
}

const VERSION = /\bv?(\d+(?:\.\d+)+(?:[-+.][0-9a-z]+)*)\b/i;

/** Splits a line into a known label and its (possibly empty) value, or null for prose. */
export function matchLabel(rawLine: string): LabelLine | null {
  let line = rawLine.trim();
  if (line.startsWith("|")) line = line.replace(/^\|/, "").replace(/\|\s*$/, "");
  line = line.replace(/^#{1,6}\s+/, "");
  const bullet = BULLET.exec(line);
  const numbered = Boolean(bullet?.[1]);
  if (bullet) line = line.slice(bullet[0].length);
  const cut = findSeparator(line);
  const labelPart = cut ? line.slice(0, cut.at) : line;
  const value = cut ? line.slice(cut.at + cut.length) : "";
  const label = labelPart
    .replace(/\([^)]*\)/g, " ")
    .replace(/[*_`]+/g, "")
    .replace(/[?]+\s*$/, "")
    .trim();
  if (label.length === 0 || label.length > 60) return null;
  const field = FIELD_BY_KEY.get(labelKey(label));
  if (!field) return null;
  return { field, label: label.toLowerCase(), value: stripEmphasis(value), numbered };
}

/** The first ":", "=", "|", tab or spaced dash outside parentheses ("Severity (1 - 4): 2"). */
function findSeparator(line: string): { at: number; length: number } | null {
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (c === ":" || c === "=" || c === "：" || c === "|" || c === "\t") return { at: i, length: 1 };
    else if ((c === "-" || c === "–" || c === "—") && i > 0 && /\s|\*|_/.test(line[i - 1]!) && (i + 1 === line.length || /\s/.test(line[i + 1]!)))
      return { at: i, length: 1 };
  }
  return null;
}

function collectSingle(lines: string[], i: number, sameLine: string): { value: string; next: number } {
  if (sameLine) return { value: sameLine, next: i + 1 };
  // The value on the next line; HTML-derived text may put one blank line in between.
  let j = i + 1;
  if (j < lines.length && lines[j]!.trim() === "") j++;
  const candidate = lines[j];
  if (candidate === undefined || candidate.trim() === "" || matchLabel(candidate) || isSignature(candidate)) {
    return { value: "", next: i + 1 };
  }
  return { value: stripEmphasis(candidate.trim().replace(BULLET, "")), next: j + 1 };
}

/** Lines up to the next label of a field not yet read, or the signature. */
function collectMultiline(lines: string[], i: number, sameLine: string, found: FieldName[]): { value: string; next: number } {
  const out = sameLine ? [sameLine] : [];
  let j = i + 1;
  for (; j < lines.length; j++) {
    const line = lines[j]!;
    if (isSignature(line)) break;
    const label = matchLabel(line);
    if (label && !found.includes(label.field) && !(label.numbered && WEAK_LABELS.has(label.label))) break;
    out.push(line.trimEnd());
  }
  return { value: out.join("\n"), next: j };
}

function isSignature(line: string): boolean {
  const t = line.trim();
  return SIGNATURE_DELIMITER.test(line.trimEnd()) || SIGNATURE_DELIMITER.test(t) || CLOSING.test(t);
}

function finishValue(field: FieldName, value: string): string {
  const v = value.replace(/^\s*\n|\n\s*$/g, "").trim();
  if (v === "" || /^(\.\.\.|…|_+|<[^>@]*>)$/.test(v)) return "";
  if (field === "email") return /[^\s<>\[\]:;,()"']+@[^\s<>\[\]:;,()"']+/.exec(v)?.[0] ?? v;
  return v;
}

/** "** 1**" left over from "**Severity:** **1**". */
function stripEmphasis(value: string): string {
  let v = value.trim();
  for (let prev = ""; prev !== v; ) {
    prev = v;
    v = v.replace(/^(\*\*|__)\s*/, "").replace(/\s*(\*\*|__)$/, "");
  }
  if (/^[*_].*[*_]$/.test(v) && v.length > 2) v = v.slice(1, -1);
  return v.trim();
}

/**
 * Normalised lines without quoted earlier mail. The caller strips it too; stripping again is harmless and
 * keeps a direct caller from reading a field out of an older message.
 */
function prepare(text: string, opts: ReadOptions): string[] {
  return stripQuotedHistory(text, opts)
    .replace(/[\u00a0\u2007\u202f]/g, " ")
    .replace(/[\u200b-\u200d\ufeff]/g, "")
    .split("\n");
}
