/** The sign-in pages (pure): the address form, the one answer every address gets, a refused link. */
import { html } from "../html.js";
import { layout } from "./layout.js";

export function signInForm(note?: string): string {
  return layout(
    { title: "Sign in" },
    html`${note ? html`<p class="note">${note}</p>` : ""}
<form method="post" action="/board/sign-in">
<label>Your staff address <input type="email" name="email" required autocomplete="email"></label>
<button type="submit">Mail me a sign-in link</button>
</form>`,
  );
}

/** The same page whatever the address: it tells nobody who is on the staff. */
export function linkSent(minutes: number): string {
  return layout(
    { title: "Check your mail" },
    html`<p>If that address belongs to active staff, a sign-in link is on its way to it. The link works once, for ${minutes} minutes.</p>`,
  );
}

export function linkRefused(reason: "unknown" | "used" | "expired" | "inactive"): string {
  const why = { unknown: "This link is not valid.", used: "This link has already been used.", expired: "This link has expired.", inactive: "This staff member is no longer active." }[reason];
  return layout({ title: "Sign-in link refused" }, html`<p>${why} <a href="/board/sign-in">Ask for a new link.</a></p>`);
}
