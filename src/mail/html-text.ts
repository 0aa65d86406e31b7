/**
 * Readable text from an HTML body, for HTML-only mail (Outlook, web forms).
 * We do not use mailparser's built-in html-to-text output: it upper-cases headings,
 * appends link targets in brackets and renders list items as " * ", which makes the
 * request template harder to read. This keeps the words and the line structure only.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—",
  hellip: "…", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", bull: "•", middot: "·",
  copy: "©", reg: "®", trade: "™", euro: "€", shy: "", zwnj: "", zwj: "",
  auml: "ä", ouml: "ö", uuml: "ü", Auml: "Ä", Ouml: "Ö", Uuml: "Ü", szlig: "ß",
  eacute: "é", egrave: "è", ecirc: "ê", agrave: "à", aacute: "á", ccedil: "ç", ntilde: "ñ",
  iacute: "í", oacute: "ó", uacute: "ú", laquo: "«", raquo: "»", deg: "°", times: "×",
};

/** Decodes named (common subset), decimal and hex character references. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);?/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      // Invalid or out-of-range references stay as written rather than throwing.
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    const named = NAMED_ENTITIES[ref];
    return named ?? whole;
  });
}

const BLOCK_TAGS = "p|div|h[1-6]|tr|table|ul|ol|pre|section|article|header|footer|address|hr|dl|dt|dd";

/**
 * Strips tags keeping line breaks for <br>, block elements and list items ("- item").
 * <blockquote> content (how Gmail/Apple/Thunderbird quote earlier mail in HTML) comes out
 * prefixed with "> ", so stripQuotedHistory treats it like plain-text quoting.
 */
export function htmlToText(html: string): string {
  let s = html.replace(/\u0000/g, "");
  // Drop content that is never shown: head, styles, scripts, conditional comments, comments.
  s = s.replace(/<head[\s>][\s\S]*?<\/head>/gi, "");
  s = s.replace(/<(style|script|title|xml)[\s>][\s\S]*?<\/\1>/gi, "");
  s = s.replace(/<!--[\s\S]*?-->/g, "");
  s = s.replace(/<!\[if[\s\S]*?<!\[endif\]>/gi, "");
  s = quoteBlockquotes(s);
  return tidyLines(decodeEntities(tagsToLines(s)));
}

/** Replaces innermost-first each <blockquote> by its lines prefixed with an (encoded) "> ". */
function quoteBlockquotes(html: string): string {
  const innermost = /<blockquote(?:\s[^>]*)?>((?:(?!<blockquote)[\s\S])*?)<\/blockquote>/i;
  let s = html;
  // Bounded: each pass removes one blockquote element.
  for (let guard = 0; guard < 1000 && innermost.test(s); guard++) {
    s = s.replace(innermost, (_m, inner: string) => {
      const lines = tagsToLines(inner).split("\n").map((l) => l.trim());
      while (lines.length > 0 && lines[0] === "") lines.shift();
      while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
      return "<div>" + lines.map((l) => "&gt; " + l).join("<br>") + "</div>";
    });
  }
  return s;
}

/** Tags to line structure; entities are left encoded (decoded once at the end). */
function tagsToLines(html: string): string {
  // Source newlines are just whitespace in HTML.
  let s = html.replace(/[\r\n\t]+/g, " ");
  // Block boundaries become a marker; adjacent boundaries ("</p> <p>") collapse into one
  // line break, so Outlook's one-<p>-per-line markup reads as lines, not as paragraphs.
  s = s.replace(/<li(?:\s[^>]*)?>/gi, "\u0000- ");
  s = s.replace(new RegExp(`</?(?:li|${BLOCK_TAGS})(?:\\s[^>]*)?/?>`, "gi"), "\u0000");
  s = s.replace(/(?:\u0000 *)+/g, "\n");
  s = s.replace(/<br(?:\s[^>]*)?\/?>/gi, "\n");
  s = s.replace(/<\/t[dh]>/gi, " ");
  return s.replace(/<[^>]*>/g, "");
}

/** Trims each line, collapses runs of spaces and of blank lines (max one blank line). */
function tidyLines(s: string): string {
  const lines = s.split("\n").map((l) => l.replace(/[ \t\u00a0]+/g, " ").trim());
  const out: string[] = [];
  for (const line of lines) {
    if (line === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.length > 0 ? out.join("\n") + "\n" : "";
}
