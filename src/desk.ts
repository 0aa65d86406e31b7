/**
 * What every use case needs to know about this support desk, independent of where it came from
 * (the YAML config in production, a literal in tests and the demo).
 */
import type { Config } from "./config/schema.js";
import { createTemplateRenderer, type TemplateRenderer } from "./outbox/templates.js";
import type { Policy } from "./policy/types.js";

export interface Desk {
  policies: Map<string, Policy>;
  templates: TemplateRenderer;
  /** From address of everything we send; also the Reply-To, so answers come back to the desk. */
  fromAddress: string;
  /** Domain of our Message-IDs; mail carrying it in References is ours. */
  supportDomain: string;
  caseTokenFormat: string;
  /** Zone of staff-facing times when a staff member has none. */
  timeZone: string;
  /** config notifications.newCase: who hears of a new case whose organization has no engineer. */
  newCaseRecipients?: string[];
  /** Who is told of a quarantined message (config notifications.quarantine); absent or empty: the active managers. */
  quarantineRecipients?: string[];
}

export function deskFromConfig(config: Config, policies: Map<string, Policy>): Desk {
  return {
    policies,
    templates: createTemplateRenderer({ overrideDir: config.templatesDir ?? null }),
    fromAddress: config.from,
    supportDomain: config.supportDomain,
    caseTokenFormat: config.caseToken,
    timeZone: config.timeZone,
    newCaseRecipients: config.notifications.newCase.map((a) => a.toLowerCase()),
    quarantineRecipients: config.notifications.quarantine ?? [],
  };
}
