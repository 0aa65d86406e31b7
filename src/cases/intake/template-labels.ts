/**
 * The labels customers write in front of the support request template's fields (VANTIQ's "Customer
 * Responsibilities" list, Konneqt's case type and priority). Declarative: one row per field.
 * Labels are matched case-insensitively, with any run of spaces/dashes inside where the label has one,
 * so "E-Mail Address", "email address" and "Steps  to reproduce" all match.
 */

export type FieldName =
  | "name"
  | "company"
  | "email"
  | "severity"
  | "priority"
  | "environment"
  | "product"
  | "version"
  | "deployment"
  | "clientApp"
  | "clientVersion"
  | "namespaces"
  | "stepsToReproduce"
  | "exports"
  | "caseType";

export const FIELD_NAMES: readonly FieldName[] = [
  "name",
  "company",
  "email",
  "severity",
  "priority",
  "environment",
  "product",
  "version",
  "deployment",
  "clientApp",
  "clientVersion",
  "namespaces",
  "stepsToReproduce",
  "exports",
  "caseType",
];

/** How an acknowledgment names a field when it asks for it. */
export const FIELD_LABELS: Record<FieldName, string> = {
  name: "Name",
  company: "Company",
  email: "Email",
  severity: "Severity",
  priority: "Priority",
  environment: "Environment (production, pre-production or development)",
  product: "Product",
  version: "Product version",
  deployment: "Deployment (public cloud, private cloud or edge node)",
  clientApp: "Client application (SDK, CLI or mobile app) and its version",
  clientVersion: "Client application version",
  namespaces: "Namespace(s)",
  stepsToReproduce: "Steps to reproduce",
  exports: "Exports of affected components",
  caseType: "Case type",
};

/** Fields whose value runs over several lines, up to the next label or the signature. */
export const MULTILINE_FIELDS: ReadonlySet<FieldName> = new Set(["stepsToReproduce", "exports"]);

export const FIELD_ALIASES: Record<FieldName, readonly string[]> = {
  name: ["name", "your name", "full name", "contact name", "requester", "requester name", "reported by"],
  company: ["company", "company name", "organization", "organisation", "organization name", "customer"],
  email: ["email", "e-mail", "email address", "e-mail address", "your email", "contact email"],
  severity: ["severity", "severity level", "sev", "issue severity"],
  priority: ["priority", "priority level", "initial priority", "initial priority level", "incident priority"],
  environment: ["environment", "deployment environment", "env", "environment type", "affected environment"],
  product: ["product", "product name", "affected product", "product and version", "product & version", "product/version"],
  version: ["vantiq version", "version", "product version", "software version", "release", "server version"],
  deployment: [
    "deployment",
    "deployment type",
    "cloud",
    "installation",
    "hosting",
    "cloud or edge",
    "cloud/edge",
    "public cloud, private cloud, or edge node",
    "public cloud, private cloud or edge node",
    "public cloud / private cloud / edge node",
  ],
  clientApp: ["client application", "client app", "client", "sdk", "cli", "mobile app", "client application and version"],
  clientVersion: ["client version", "client application version", "client app version", "sdk version", "cli version", "app version"],
  namespaces: ["namespace", "namespaces", "affected namespace", "affected namespaces", "namespace or namespaces"],
  stepsToReproduce: [
    "steps to reproduce",
    "steps to reproduce the issue",
    "steps",
    "reproduction steps",
    "repro steps",
    "how to reproduce",
    "test case",
  ],
  exports: ["exports", "exports of affected components", "export"],
  caseType: ["case type", "type", "request type", "issue type", "ticket type", "category", "type of request"],
};

/**
 * Labels too ordinary to end a multi-line value when they start a numbered line: "2. Type: hello
 * in the search box" is a step, not the case type.
 */
export const WEAK_LABELS: ReadonlySet<string> = new Set([
  "type",
  "version",
  "name",
  "product",
  "client",
  "release",
  "category",
  "steps",
  "cloud",
  "export",
]);
