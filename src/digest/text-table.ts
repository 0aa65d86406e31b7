/** Fixed-width plain-text tables for the text part of mail (read in a monospace font or not at all). */

/** Columns padded to their widest cell; customer text is flattened to one line and cut at `maxWidth`. */
export function textTable(headers: string[], rows: string[][], maxWidth = 60): string {
  const clean = (s: string) => {
    // eslint-disable-next-line no-control-regex
    const flat = s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
    return flat.length > maxWidth ? flat.slice(0, maxWidth - 1) + "…" : flat;
  };
  const all = [headers, ...rows].map((r) => r.map(clean));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(all[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}
