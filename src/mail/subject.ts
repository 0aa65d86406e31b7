/** Subject-line helpers shared by severity tags, case-type tags and case tokens (pure). */

/** Reply and forward prefixes in common mail clients' languages: Re, AW (de), SV (sv/da/no), VS (fi), Fwd, WG, TR, RIF, ENC, RES. */
const PREFIX = /^\s*((re|aw|sv|vs|antw|odp|fw|fwd|wg|tr|r|rif|enc|res)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*)+/i;

/** Strips "Re:", "AW:", "Fwd: Re:" … so a leading tag ("P1:") is still at the start. */
export function stripReplyPrefixes(subject: string): string {
  return subject.replace(PREFIX, "").trim();
}
