/**
 * Removes quoted earlier mail from a body text, so a case stores what the sender wrote
 * this time and the template reader does not pick up fields from older messages. Pure.
 *
 * Choices (deliberate):
 * - Inline replies are kept: only quote lines (">") and attribution lines ("On … wrote:")
 *   are removed, text written between quoted blocks stays.
 * - Outlook-style history has no ">" prefix, so everything from "-----Original Message-----",
 *   a "________" separator or a "From:/Sent:/Subject:" header block onwards is removed.
 * - A signature (a "-- " line) is removed up to the next forward marker or the end.
 * - Forwards are kept: in a forwarded request the forwarded content IS the request.
 *   Everything from a forward marker ("---------- Forwarded message ---------",
 *   "Begin forwarded message:", "-------- Forwarded Message --------") on is kept verbatim.
 *   Outlook forwards have no marker (only a header block): pass { isForward: true }
 *   (e.g. from isForwardSubject(subject)) to keep such a block instead of cutting it.
 */

const FORWARD_MARKER = [
  /^-{2,}\s*forwarded message\s*-{2,}$/i,
  /^begin forwarded message:?$/i,
  /^-{2,}\s*(?:weitergeleitete nachricht|message transféré|mensaje reenviado)\s*-{2,}$/i,
];
const OUTLOOK_MARKER = [/^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)\s*-{2,}$/i];
const SEPARATOR = /^_{10,}$/;
const HEADER_FROM = /^\*?(?:from|von|de|da|van)\s*:\*?\s*\S/i;
const HEADER_SENT = /^\*?(?:sent|date|gesendet|datum|envoyé|enviado|fecha|inviato|verzonden)\s*:/i;
const HEADER_SUBJECT = /^\*?(?:subject|betreff|objet|asunto|oggetto|onderwerp)\s*:/i;
const SIGNATURE = /^-- ?$/;
const QUOTE = /^\s*>/;
/** Attribution lines that always introduce quoted mail (several clients and languages). */
const ATTRIBUTION = [
  /^on\b.*\bwrote:\s*$/i,
  /^le\b.*\ba écrit\s*:\s*$/i,
  /^am\b.*\bschrieb\b.*:\s*$/i,
  /^el\b.*\bescribió:\s*$/i,
  /^il\b.*\bha scritto:\s*$/i,
  /^op\b.*\bschreef\b.*:\s*$/i,
];
/** "Jane Doe <jane@…> wrote:" without a leading "On": only removed when quotes follow. */
const LOOSE_ATTRIBUTION = /^.{1,200}\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef)\s*:\s*$/i;

const FORWARD_SUBJECT = /^\s*(?:fwd?|fw|wg|tr|rv|enc|doorst)\s*:/i;

/** Subject of a forwarded message ("Fwd:", "FW:", "WG:", "TR:", ...). */
export function isForwardSubject(subject: string): boolean {
  return FORWARD_SUBJECT.test(subject);
}

export function stripQuotedHistory(text: string, opts: { isForward?: boolean } = {}): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.trimEnd());
  const forwardAt = lines.findIndex((l, i) => isForwardMarker(l.trim()) || (opts.isForward === true && isOutlookBlock(lines, i)));
  const head = forwardAt >= 0 ? lines.slice(0, forwardAt) : lines;
  const tail = forwardAt >= 0 ? lines.slice(forwardAt) : [];
  const cutAt = head.findIndex((l, i) => SIGNATURE.test(l) || isOutlookBlock(head, i));
  const kept = dropQuotes(cutAt >= 0 ? head.slice(0, cutAt) : head);
  return tidy([...kept, ...tail]);
}

const isForwardMarker = (l: string): boolean => FORWARD_MARKER.some((re) => re.test(l));

/** Outlook history starts here: a marker, a separator before headers, or a header block. */
function isOutlookBlock(lines: string[], i: number): boolean {
  const line = (lines[i] ?? "").trim();
  if (OUTLOOK_MARKER.some((re) => re.test(line))) return true;
  if (SEPARATOR.test(line)) return nextNonBlank(lines, i + 1).some((l) => HEADER_FROM.test(l));
  if (!HEADER_FROM.test(line)) return false;
  const following = lines.slice(i + 1, i + 6).map((l) => l.trim());
  return following.some((l) => HEADER_SENT.test(l)) && following.some((l) => HEADER_SUBJECT.test(l));
}

function nextNonBlank(lines: string[], from: number): string[] {
  for (let i = from; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l !== "") return [l];
  }
  return [];
}

/** Drops ">" lines and the attribution lines that introduce them; keeps inline replies. */
function dropQuotes(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (QUOTE.test(line)) continue;
    const t = line.trim();
    // Every attribution ends with a colon: the cheap test spares the patterns almost every line.
    if (t.endsWith(":") && ATTRIBUTION.some((re) => re.test(t))) continue;
    // Gmail wraps long attributions: "On Tue, … Jane Doe <jane@" / "customer.example> wrote:".
    if (/^on\s/i.test(t)) {
      const joined = `${t} ${(lines[i + 1] ?? "").trim()}`;
      if (joined.endsWith(":") && ATTRIBUTION.some((re) => re.test(joined))) {
        i++;
        continue;
      }
    }
    if (t.endsWith(":") && LOOSE_ATTRIBUTION.test(t) && nextNonBlank(lines, i + 1).some((l) => QUOTE.test(l))) continue;
    out.push(line);
  }
  return out;
}

/** At most one blank line in a row, none at the start or end; ends with "\n" when not empty. */
function tidy(lines: string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (l.trim() === "" && (out.length === 0 || out[out.length - 1]!.trim() === "")) continue;
    out.push(l);
  }
  while (out.length > 0 && out[out.length - 1]!.trim() === "") out.pop();
  return out.length > 0 ? out.join("\n") + "\n" : "";
}
