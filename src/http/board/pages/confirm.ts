/** The page a mailed link opens (pure): one button that uses the link. */
import { html } from "../html.js";
import { layout } from "./layout.js";

export function confirmLink(token: string): string {
  return layout(
    { title: "Sign in" },
    html`<form method="post" action="/board/sign-in/link"><input type="hidden" name="token" value="${token}">
<button type="submit">Sign in to the support board</button></form>`,
  );
}
