/**
 * What the demo plays: the support desk's customers and staff, and a week of mail. Declarative data only;
 * seed.ts writes the directory, script.ts delivers the steps. Instants carry their sender's offset so each
 * line reads like the mail it stands for; the clock, not the Date header, decides when mail is processed.
 */

export const DEMO_START = "2026-11-23T07:00:00-08:00"; // Monday before Thanksgiving, 07:00 Pacific
export const DEMO_END = "2026-11-30T09:00:00-08:00"; // the next Monday, 09:00 Pacific

export const DESK = {
  address: "support@vendor.example",
  supportDomain: "support.vendor.example",
  timeZone: "America/Los_Angeles",
} as const;

export interface DemoPerson {
  email: string;
  name: string;
}

export interface DemoOrganization {
  name: string;
  policyId: string;
  timeZone: string;
  domain: string;
  entitlements: string[];
  /** Designated technical contacts: the only people who may open cases. */
  dtcs: [DemoPerson, DemoPerson];
  /** A colleague who is not a DTC: gets a polite refusal. */
  other: DemoPerson;
  /** The engineer who gets the new-case mail of its cases (org set --engineer); else every engineer does. */
  engineer?: string;
}

const ENGINEERS: Record<string, string> = { "Acme Logistics": "alice@vendor.example", "Federal Data Services": "bob@vendor.example" };

export const ORGANIZATIONS: DemoOrganization[] = [
  org("Acme Logistics", "vantiq", "America/Los_Angeles", "acme-logistics.example", [], ["jane.doe", "Jane Doe"], ["raj.patel", "Raj Patel"], ["tom.hill", "Tom Hill"]),
  org("Northwind Bank", "ciq-standard", "America/Chicago", "northwind-bank.example", [], ["lena.ortiz", "Lena Ortiz"], ["sam.brooks", "Sam Brooks"], ["pat.kim", "Pat Kim"]),
  // Two CIQ Premium customers: only the first has the named point of contact that makes Severity 1 24x7.
  org("Harborline Clearing", "ciq-premium", "America/New_York", "harborline.example", ["named-contact"], ["maria.lopez", "Maria Lopez"], ["ken.ito", "Ken Ito"], ["amy.chen", "Amy Chen"]),
  org("Bluefin Capital", "ciq-premium", "America/New_York", "bluefin-capital.example", [], ["olivia.grant", "Olivia Grant"], ["noah.reed", "Noah Reed"], ["eli.park", "Eli Park"]),
  org("Federal Data Services", "konneqt-enterprise", "America/New_York", "fedds.example", [], ["dana.white", "Dana White"], ["luis.mendez", "Luis Mendez"], ["carl.ross", "Carl Ross"]),
  org("Pampa Logística", "konneqt-basic", "America/Sao_Paulo", "pampa-logistica.example", [], ["joao.silva", "João Silva"], ["ana.souza", "Ana Souza"], ["rui.costa", "Rui Costa"]),
  org("Taiga Telecom", "infotecs-basic", "Europe/Moscow", "taiga-telecom.example", [], ["ivan.petrov", "Ivan Petrov"], ["olga.smirnova", "Olga Smirnova"], ["pavel.orlov", "Pavel Orlov"]),
];

export const STAFF = [
  { email: "alice@vendor.example", name: "Alice Engineer", role: "engineer", timeZone: "America/Los_Angeles" },
  { email: "bob@vendor.example", name: "Bob Engineer", role: "engineer", timeZone: "America/New_York" },
  { email: "mona@vendor.example", name: "Mona Manager", role: "manager", timeZone: "America/Los_Angeles" },
  // Konneqt escalates a missed workaround or resolution target to the executive team.
  { email: "eddie@vendor.example", name: "Eddie Executive", role: "executive", timeZone: "America/New_York" },
] as const;

/** A sample request from examples/mail/; `opens` names the case it is expected to open. */
export interface MailStep {
  at: string;
  file: string;
  opens?: string;
  /** Files that name a case by number ([Case #2], the ack's Message-ID) say which case they expect. */
  expects?: { label: string; number: number };
}

/** A staff member's reply, written by the demo: commands first, then the text relayed to the customer. */
export interface StaffStep {
  at: string;
  staff: string;
  case: string;
  text: string;
}

export type Step = MailStep | StaffStep;

export const SCRIPT: Step[] = [
  { at: "2026-11-23T09:10:04-08:00", file: "01-vantiq-sev1-production-outage.eml", opens: "vantiq-outage" },
  { at: "2026-11-23T09:40:00-08:00", file: "02-vantiq-sev1-development.eml", opens: "vantiq-dev" },
  { at: "2026-11-23T09:41:05-08:00", file: "03-out-of-office-auto-reply.eml", expects: { label: "vantiq-dev", number: 2 } },
  { at: "2026-11-23T10:15:00-08:00", file: "04-vantiq-non-dtc-request.eml" },
  {
    at: "2026-11-23T11:45:00-08:00",
    staff: "alice@vendor.example",
    case: "vantiq-outage",
    text: "#assign alice@vendor.example\n\nHi Jane,\n\nWe are on it. Did anything change in acme_prod shortly before 08:52?\nIs the rule SensorBurst still active?\n\nAlice",
  },
  { at: "2026-11-23T12:30:20-08:00", file: "05-dtc-inline-reply.eml", expects: { label: "vantiq-outage", number: 1 } },
  { at: "2026-11-23T14:00:10-08:00", file: "06-engineer-severity-waiting.eml", expects: { label: "vantiq-dev", number: 2 } },
  {
    at: "2026-11-23T16:30:00-08:00",
    staff: "alice@vendor.example",
    case: "vantiq-outage",
    text:
      "#workaround\n#status resolved\n\nHi Jane,\n\nThe queue size above 1000 overflows the rule's buffer: keep it at 500 until\n" +
      "1.41.4 ships (fix scheduled). Rolling back was the right workaround.\n\nAlice",
  },
  { at: "2026-11-24T09:59:40-05:00", file: "07-konneqt-enterprise-p1-incident.eml", opens: "konneqt-p1" },
  {
    at: "2026-11-24T10:40:00-05:00",
    staff: "bob@vendor.example",
    case: "konneqt-p1",
    text: "#assign bob@vendor.example\n\nHi Dana,\n\nWe are looking at the certificate chain the partner route presents after the rotation.\n\nBob",
  },
  { at: "2026-11-25T09:30:10-05:00", file: "08-konneqt-security-report.eml", opens: "konneqt-security" },
  {
    at: "2026-11-25T10:10:00-05:00",
    staff: "bob@vendor.example",
    case: "konneqt-security",
    text: "Hi Luis,\n\nCVE-2026-10231 does not reach the gateway process; TLS 1.0 on 9443 does. Details follow.\n\nBob",
  },
  { at: "2026-11-25T15:00:30-06:00", file: "11-ciq-standard-sev2-before-thanksgiving.eml", opens: "ciq-standard" },
  { at: "2026-11-25T17:30:50-03:00", file: "09-konneqt-basic-iso-8859-1-attachment.eml", opens: "konneqt-basic" },
  { at: "2026-11-26T11:02:30+03:00", file: "10-infotecs-ticket.eml", opens: "infotecs" },
  {
    at: "2026-11-27T08:30:00-06:00",
    staff: "bob@vendor.example",
    case: "ciq-standard",
    text: "Hi Lena,\n\nKnown regression in 503.14.1; boot the previous kernel, the fixed build is in CIQ's repo today.\n\nBob",
  },
  { at: "2026-11-28T03:00:20-05:00", file: "12-ciq-premium-sev1-named-contact.eml", opens: "ciq-premium-24x7" },
  { at: "2026-11-28T03:05:50-05:00", file: "13-ciq-premium-sev1-standard-hours.eml", opens: "ciq-premium-standard" },
  {
    at: "2026-11-28T03:50:00-05:00",
    staff: "bob@vendor.example",
    case: "ciq-premium-24x7",
    text: "Hi Maria,\n\nOn it: boot the head node with the previous kernel from the GRUB menu while we analyse the panic.\n\nBob",
  },
  {
    at: "2026-11-30T08:20:00-05:00",
    staff: "bob@vendor.example",
    case: "ciq-premium-standard",
    text: "Hi Olivia,\n\nThis is the dracut regression in 503.14.1; select the previous kernel, a fixed build is available.\n\nBob",
  },
];

function org(
  name: string,
  policyId: string,
  timeZone: string,
  domain: string,
  entitlements: string[],
  a: [string, string],
  b: [string, string],
  other: [string, string],
): DemoOrganization {
  const person = ([local, full]: [string, string]): DemoPerson => ({ email: `${local}@${domain}`, name: full });
  // Two customers have an engineer of their own: their new-case mail goes to that engineer alone.
  const engineer = ENGINEERS[name];
  return { name, policyId, timeZone, domain, entitlements, dtcs: [person(a), person(b)], other: person(other), ...(engineer ? { engineer } : {}) };
}

/**
 * The Infotecs customer near its ticket quota ([001] "up to 40 Tickets per year"): its contract year began on
 * 12 January, and 37 tickets were resolved before the demo week (numbered from 9001, apart from the week's cases).
 */
export const QUOTA_HISTORY = {
  organization: "Taiga Telecom",
  contractStart: "2026-01-12",
  accountContact: "Olga Account <olga.account@vendor.example>",
  resolved: 37,
  firstNumber: 9001,
} as const;
