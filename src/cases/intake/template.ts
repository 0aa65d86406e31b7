/**
 * Reads the support request template's fields out of a message body (pure).
 * Customers mangle templates: any case, markdown emphasis, bullets, ":" "=" "-" "–" separators,
 * the value on the line after its label, signatures and quoted earlier mail. The reader looks at
 * one line at a time, splits it at the first separator outside parentheses, and asks whether the
 * part before it is a known label; everything else is prose and is skipped.
 */
import { stripQuotedHistory } from "../../mail/quoted.js";
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
  /^(thanks|thank you|many thanks|thanks in advance|thx|regards|best regards|kind regards|warm regards|best|cheers|sincerely|br|greetings|best wishes|saludos|un saludo|atenciosamente|obrigado|abraços|cordialement|saluti|cordiali saluti|(viele |liebe |beste )?grüße|gruß|mfg|mit freundlichen grüßen|vielen dank)[\s,.!]*$/i;
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
    const label = matchLabel(lines[i]!) ?? matchTableRow(lines[i]!);
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

/**
 * An HTML table row flattened to text has no separator: "Severity Sev 1", "VANTIQ version 1.41.3".
 * Accepted only when the line starts with a label that is not an ordinary word and the rest does not read
 * as the continuation of a sentence ("Name of the rule is X").
 */
export function matchTableRow(rawLine: string): LabelLine | null {
  const line = rawLine.trim().replace(/\*+/g, "");
  if (!/^\p{Lu}/u.test(line)) return null;
  const words = line.split(/\s+/);
  for (let k = Math.min(6, words.length - 1); k >= 1; k--) {
    const label = words.slice(0, k).join(" ").replace(/\([^)]*\)/g, "").trim();
    const field = FIELD_BY_KEY.get(labelKey(label));
    if (!field || LOOSE_BLOCKED.has(label.toLowerCase())) continue;
    const value = words.slice(k).join(" ");
    if (SENTENCE_GLUE.test(value) || value.length > 60) return null;
    return { field, label: label.toLowerCase(), value, numbered: false };
  }
  return null;
}

const LOOSE_BLOCKED: ReadonlySet<string> = new Set([...WEAK_LABELS, "customer", "installation", "hosting", "sdk", "cli", "env", "sev", "exports", "mail"].filter((w) => w !== "name" && w !== "version" && w !== "product"));
const SENTENCE_GLUE = /^(of|is|are|was|were|the|a|an|for|in|on|to|and|or|with|from|that|this|has|have|had|we|i|it|at|by|as|be)\b/i;

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
  const out: string[] = [];
  let j = i + 1;
  let endedByLabel = false;
  for (; j < lines.length; j++) {
    const line = lines[j]!;
    if (isSignature(line)) break;
    const label = matchLabel(line);
    if (label && !found.includes(label.field) && !(label.numbered && WEAK_LABELS.has(label.label))) {
      endedByLabel = true;
      break;
    }
    out.push(line.trimEnd());
  }
  if (!endedByLabel) dropSignOff(out);
  return { value: [sameLine, ...dedent(out)].filter((l, k) => k > 0 || l !== "").join("\n"), next: j };
}

/** "…\n\nOmar" / "…\n\nJane Doe\nAcme Logistics" at the end of the mail: a sign-off without a closing word. */
function dropSignOff(out: string[]): void {
  while (out.length > 0 && out[out.length - 1]!.trim() === "") out.pop();
  const lastBlank = out.map((l) => l.trim()).lastIndexOf("");
  if (lastBlank < 0) return;
  const tail = out.slice(lastBlank + 1).filter((l) => l.trim() !== "");
  if (tail.length > 0 && tail.length <= 3 && tail.every((l) => NAME_LINE.test(l.trim()))) out.splice(lastBlank);
}

const NAME_LINE = /^\p{Lu}[\p{L}.'’-]*(\s+[\p{Lu}&][\p{L}.'’&-]*){0,3}$/u;

/** Continuation lines indented under a markdown bullet ("  1. Upgrade …") lose the common indent. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^\s*/.exec(l)![0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(cut, /^\s*/.exec(l)![0].length)));
}

function isSignature(line: string): boolean {
  const t = line.trim();
  return SIGNATURE_DELIMITER.test(line.trimEnd()) || SIGNATURE_DELIMITER.test(t) || CLOSING.test(t) || isClosingWords(t);
}

const CLOSING_WORDS = new Set(["thanks", "thank", "you", "and", "best", "kind", "warm", "warmest", "kindest", "regards", "many", "in", "advance", "cheers", "sincerely", "again", "very", "much", "with", "all", "the"]);
const CLOSING_CORE = /\b(thanks|thank|regards|cheers|sincerely)\b/i;

/** "Thanks, and best regards", "Thank you & kind regards!": a line made of closing words only. */
function isClosingWords(line: string): boolean {
  const words = line.toLowerCase().split(/[\s,.!&;-]+/).filter(Boolean);
  return words.length > 0 && words.length <= 8 && CLOSING_CORE.test(line) && words.every((w) => CLOSING_WORDS.has(w));
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
