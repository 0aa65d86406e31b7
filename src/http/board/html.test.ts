import { describe, expect, it } from "vitest";
import { escapeHtml, html, query } from "./html.js";

describe("html``", () => {
  it.each([
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    [`" onmouseover="x`, "&quot; onmouseover=&quot;x"],
    ["it's `tick` & co", "it&#39;s &#96;tick&#96; &amp; co"],
    ["javascript:alert(1)", "javascript:alert(1)"],
  ])("escapes %j as text", (value, escaped) => {
    expect(html`<p title="${value}">${value}</p>`.value).toBe(`<p title="${escaped}">${escaped}</p>`);
  });

  it("keeps its own markup, joins arrays, drops null, undefined and false", () => {
    const items = ["<a>", "b"].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe("<ul><li>&lt;a&gt;</li><li>b</li></ul>0");
  });

  it("escapes a string that looks like markup even when nested", () => {
    const inner = "<b>bold</b>";
    expect(html`${html`<i>${inner}</i>`}`.value).toBe("<i>&lt;b&gt;bold&lt;/b&gt;</i>");
    expect(escapeHtml("&amp;")).toBe("&amp;amp;");
  });

  it("builds query strings with each part encoded and empty ones left out", () => {
    expect(query({ org: "Acme & Co", page: 2, text: "", breached: false, x: undefined })).toBe("?org=Acme%20%26%20Co&page=2");
    expect(query({})).toBe("");
  });
});
