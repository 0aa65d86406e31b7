/** Mailing-list mail: never answered, and not recorded on a case even when it quotes one. Pure. */
import { headerValue } from "../message.js";
import type { Rule } from "./rule.js";

export const listReason: Rule = (msg) => {
  if (headerValue(msg, "list-id") !== undefined) return "List-Id header";
  if (headerValue(msg, "list-unsubscribe") !== undefined) return "List-Unsubscribe header";
  if (headerValue(msg, "precedence")?.trim().toLowerCase() === "list") return "Precedence: list";
  return null;
};
