/** The frame of every board page (pure): the one style sheet and script from /board/static, no inline code. */
import { html, type Html } from "../html.js";

export interface Frame {
  title: string;
  /** The signed-in staff member; absent on the sign-in pages. */
  who?: string;
  refreshSeconds?: number;
  /** The page marks its own live parts (data-live) itself: it has a form the refresh must leave alone. */
  ownLiveParts?: boolean;
}

export function layout(frame: Frame, body: Html): string {
  const nav = frame.who
    ? html`<nav><a href="/board/">Queue</a> · <a href="/board/breaches">Breaches</a> · <a href="/board/organizations">Organizations</a> · <a href="/board/charts">Charts</a></nav>
<span class="who">${frame.who} · <a href="/board/sign-out">sign out</a></span>`
    : html``;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${frame.title} · support-inbox board</title>
<link rel="stylesheet" href="/board/static/board.css">
${frame.refreshSeconds ? html`<script src="/board/static/board.js" defer></script>` : ""}
</head><body data-refresh="${frame.refreshSeconds ?? ""}">
<header><strong>support-inbox</strong>${nav}</header>
<main><h1>${frame.title}</h1>
${frame.ownLiveParts ? body : html`<div id="live" data-live>${body}</div>`}
</main></body></html>
`.value;
}
