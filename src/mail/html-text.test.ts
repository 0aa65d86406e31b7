import { describe, expect, it } from "vitest";
import { decodeEntities, htmlToText } from "./html-text.js";

describe("htmlToText", () => {
  it.each([
    ["<br> breaks lines", "Name: A<br>Company: B<br/>Email: c@customer.example", "Name: A\nCompany: B\nEmail: c@customer.example\n"],
    ["one line per Outlook <p>", '<p class="MsoNormal">one<o:p></o:p></p>\n<p class="MsoNormal">two</p>', "one\ntwo\n"],
    ["an empty paragraph is a blank line", "<p>a</p><p>&nbsp;</p><p>b</p>", "a\n\nb\n"],
    ["list items as '- '", "<ul><li>first</li><li>second <b>bold</b></li></ul>", "- first\n- second bold\n"],
    ["head, style, script and comments dropped", "<html><head><title>t</title><style>p{}</style></head><body><!-- c --><script>x()</script>text</body></html>", "text\n"],
    ["entities decoded after tags are stripped", "&lt;b&gt; &amp; &quot;q&quot; &#8211; &#x20AC; &eacute;", "<b> & \"q\" – € é\n"],
    ["blockquote becomes '> ' lines", "<div>Yes</div><blockquote>Old<br>line</blockquote>", "Yes\n> Old\n> line\n"],
    ["nested blockquotes", "<blockquote>a<blockquote>b</blockquote></blockquote>", "> a\n> > b\n"],
    ["source newlines are whitespace", "a\n b\r\n\tc", "a b c\n"],
  ])("%s", (_n, html, expected) => {
    expect(htmlToText(html)).toBe(expected);
  });

  it("unknown or invalid entities are left as written", () => {
    expect(decodeEntities("&bogus; &#xFFFFFFF; &#0;")).toBe("&bogus; &#xFFFFFFF; &#0;");
  });
});
