/** Our own mail coming back: it must never be answered, whatever else it looks like. Pure. */
import { headerValues } from "../message.js";
import { domainOfId, type Rule } from "./rule.js";

export const loopReason: Rule = (msg, ours) => {
  // Exact domain only: staff write from subdomains of ours, and their mail is not a loop.
  if (msg.messageId !== null && msg.messageId.includes("@") && ours.domains.has(domainOfId(msg.messageId))) {
    return `Message-ID ${msg.messageId} has our domain`;
  }
  for (const value of headerValues(msg, "x-loop")) {
    const hit = [...ours.addresses].find((a) => value.toLowerCase().includes(a));
    if (hit !== undefined) return `X-Loop names our address ${hit}`;
  }
  if (msg.from !== null && ours.addresses.has(msg.from.address)) return `From is our mailbox ${msg.from.address}`;
  return null;
};
