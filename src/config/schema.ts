/**
 * The shape of support-inbox.yaml. Every field has a default, so an empty file (or no file at all)
 * is a complete config: the embedded defaults. Objects are strict so a misspelt key is an error
 * instead of a silently ignored setting. Annotated example: support-inbox.example.yaml.
 */
import { IANAZone } from "luxon";
import { z } from "zod";

/** Numbers and booleans may arrive as strings after ${ENV} substitution ("993", "true"). */
const num = () => z.preprocess((v) => (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v), z.number());
const int = () => z.preprocess((v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v), z.number().int());
const bool = () => z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
const port = () => int().pipe(z.number().min(1).max(65535));
const nonEmpty = () => z.string().trim().min(1, "must not be empty");
// Deliberately loose (one @, no spaces): support@localhost must pass, and the mail server is the real judge.
const email = () => z.string().trim().regex(/^[^\s@<>]+@[^\s@<>]+$/, "expected an email address like support@example.com");
const zone = () => z.string().refine((v) => IANAZone.isValidZone(v), { message: "unknown IANA time zone (e.g. Europe/Berlin)" });

export const MB = 1024 * 1024;

/**
 * OAuth2 instead of a password, for a mailbox (`imap.auth`) or the relay (`smtp.auth`); the
 * providers are src/auth/. Secrets belong in ${ENV}; files (keys, certificates) are read at start.
 */
const oauth2Base = {
  type: z.literal("oauth2"),
  /** Renew a token this many seconds before it expires (default 300). */
  renewBeforeSeconds: int().pipe(z.number().min(0)).default(300),
  /** Default: https://outlook.office365.com/.default (microsoft), https://mail.google.com/ (google). */
  scope: nonEmpty().optional(),
};
const httpsUrl = () => z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });

const microsoftAuth = z
  .strictObject({
    ...oauth2Base,
    provider: z.literal("microsoft"),
    tenantId: nonEmpty(),
    clientId: nonEmpty(),
    clientSecret: nonEmpty().optional(),
    /** The certificate uploaded to the app registration (PEM) and its private key (PEM). */
    certificate: z.strictObject({ certificateFile: nonEmpty(), privateKeyFile: nonEmpty() }).optional(),
    /** Default https://login.microsoftonline.com; national clouds have their own. */
    authorityHost: httpsUrl().optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.clientSecret === undefined) === (a.certificate === undefined)) {
      ctx.addIssue({ code: "custom", path: ["clientSecret"], message: "give either clientSecret or certificate (one of them)" });
    }
  });

const googleAuth = z
  .strictObject({
    ...oauth2Base,
    provider: z.literal("google"),
    /** Service account with domain-wide delegation: its JSON key file. */
    serviceAccountKeyFile: nonEmpty().optional(),
    /** The user the service account acts as; default: the mailbox's user. */
    subject: email().optional(),
    /** Or an OAuth client and a refresh token issued to the mailbox's user. */
    clientId: nonEmpty().optional(),
    clientSecret: nonEmpty().optional(),
    refreshToken: nonEmpty().optional(),
    /** Default: the key file's token_uri, else https://oauth2.googleapis.com/token. */
    tokenUrl: httpsUrl().optional(),
  })
  .superRefine((a, ctx) => {
    const refresh = [a.clientId, a.clientSecret, a.refreshToken].filter((v) => v !== undefined).length;
    if (a.serviceAccountKeyFile !== undefined ? refresh > 0 : refresh !== 3) {
      ctx.addIssue({
        code: "custom",
        path: ["serviceAccountKeyFile"],
        message: "give either serviceAccountKeyFile, or clientId, clientSecret and refreshToken (all three)",
      });
    }
  });

const commandAuth = z.strictObject({
  ...oauth2Base,
  provider: z.literal("command"),
  /** Program and arguments (no shell); a single string is the program alone. */
  command: z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(nonEmpty()).min(1)),
  timeoutSeconds: int().pipe(z.number().min(1)).default(30),
  /** How long a token printed without expires_in is used. */
  tokenLifetimeSeconds: int().pipe(z.number().min(1)).default(300),
});

export const oauth2Schema = z.discriminatedUnion("provider", [microsoftAuth, googleAuth, commandAuth]);

const imapSchema = z.strictObject({
  host: nonEmpty(),
  port: port().default(993),
  tls: bool().default(true),
  user: nonEmpty(),
  /** Required unless `auth` says oauth2. */
  password: z.string().optional(),
  auth: oauth2Schema.optional(),
  folder: nonEmpty().default("INBOX"),
  processedFolder: nonEmpty().default("Processed"),
  quarantineFolder: nonEmpty().default("Quarantine"),
  /** false: leave processed mail in place, flag it and track it by UID. */
  move: bool().default(true),
  /** false: poll every pollIntervalSeconds even when the server offers IDLE. */
  idle: bool().default(true),
  pollIntervalSeconds: int().pipe(z.number().min(1)).default(60),
}).superRefine((imap, ctx) => {
  if ((imap.password === undefined) === (imap.auth === undefined)) {
    ctx.addIssue({ code: "custom", path: ["password"], message: "give either password or auth (type: oauth2), one of them" });
  }
});

const mailboxBase = {
  name: nonEmpty(),
  address: email(),
  /** Policy id applied to organizations reached through this mailbox when none is set on them. */
  policy: nonEmpty(),
};

const mailboxSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...mailboxBase, kind: z.literal("imap"), imap: imapSchema }),
  z.strictObject({ ...mailboxBase, kind: z.literal("maildir"), maildir: z.strictObject({ path: nonEmpty() }) }),
]);

export const DEFAULT_MAILBOX = {
  name: "support",
  kind: "maildir" as const,
  address: "support@localhost",
  policy: "vantiq",
  maildir: { path: "./var/maildir" },
};

const smtpSchema = z.strictObject({
  host: nonEmpty(),
  port: port().default(587),
  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: bool().default(false),
  auth: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("password").optional(), user: nonEmpty(), pass: z.string() }),
      // The same providers as a mailbox's, plus the user whose token is sent.
      z.discriminatedUnion("provider", [microsoftAuth, googleAuth, commandAuth].map((s) => s.extend({ user: nonEmpty() })) as [
        ReturnType<typeof microsoftAuth.extend<{ user: ReturnType<typeof nonEmpty> }>>,
        ReturnType<typeof googleAuth.extend<{ user: ReturnType<typeof nonEmpty> }>>,
        ReturnType<typeof commandAuth.extend<{ user: ReturnType<typeof nonEmpty> }>>,
      ]),
    ])
    .optional(),
  /** Reuse pooled connections (nodemailer pool). */
  pool: bool().default(true),
});

export const configSchema = z
  .strictObject({
    database: z
      .strictObject({
        /** postgres://… ; unset: embedded PGlite in dataDir. DATABASE_URL overrides it. */
        url: nonEmpty().optional(),
        dataDir: nonEmpty().default("./data"),
      })
      .prefault({}),
    mailboxes: z.array(mailboxSchema).min(1, "at least one mailbox is needed").default([DEFAULT_MAILBOX]),
    smtp: smtpSchema.optional(),
    /** Where outgoing mail is written as .eml files when no smtp server is configured. */
    outboxDir: nonEmpty().default("./var/outbox"),
    /** From address of outgoing mail; default: the first mailbox's address. */
    from: email().optional(),
    supportDomain: nonEmpty().default("support-inbox.local"),
    caseToken: z.string().includes("{number}", { message: 'must contain "{number}"' }).default("[Case #{number}]"),
    timeZone: zone().default("UTC"),
    policies: z.strictObject({ dirs: z.array(nonEmpty()).default([]) }).prefault({}),
    templatesDir: nonEmpty().optional(),
    limits: z
      .strictObject({
        maxMessageBytes: int().pipe(z.number().min(1)).default(50 * MB),
        maxAttachments: int().pipe(z.number().min(0)).default(50),
        maxHeaderBytes: int().pipe(z.number().min(1)).default(64 * 1024),
      })
      .prefault({}),
    ingest: z
      .strictObject({
        /**
         * Threads that parse MIME beside the main one. 0 (the default) parses on the main thread: with the
         * database as the slower stage a thread gained no throughput on the ingest benchmark and cost ~90 MB.
         */
        parseThreads: int().pipe(z.number().min(0).max(16)).default(0),
        /** One fetched batch holds at most this many messages and bytes; about three batches are in memory at once. */
        batchMessages: int().pipe(z.number().min(1).max(1000)).default(100),
        batchBytes: int().pipe(z.number().min(1024)).default(8 * MB),
        /**
         * The worker applies no further batch while more mails than this are due in the outbox and it is
         * sending them (inbound/outbox-pace.ts): a backlog's acknowledgments leave within seconds of their
         * cases instead of queuing behind thousands. 0 turns the brake off.
         */
        maxDueReplies: int().pipe(z.number().min(0)).default(200),
      })
      .prefault({}),
    autoReplyCapPerHour: int().pipe(z.number().min(0)).default(5),
    unknownSenders: z.enum(["reply", "silent"]).default("reply"),
    authservId: nonEmpty().optional(),
    requireDkimOrSpf: bool().default(false),
    scheduler: z.strictObject({ tickSeconds: num().pipe(z.number().positive()).default(30) }).prefault({}),
    digest: z
      .strictObject({
        localTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected HH:MM, e.g. 08:00").default("08:00"),
        sendEmpty: bool().default(true),
      })
      .prefault({}),
    notifications: z
      .strictObject({
        /** Who hears of a new case when its organization has no engineer of its own (else: every active engineer). */
        newCase: z.array(email()).default([]),
        /** Told at once of every quarantined message; unset or empty: the active managers. */
        quarantine: z.array(email()).optional(),
      })
      .prefault({}),
    /** The worker's HTTP listener: /healthz, /readyz, /metrics (src/http/); false turns it off. */
    http: z
      .union([
        z.literal(false),
        z.strictObject({
          listen: nonEmpty().default("127.0.0.1:9464"),
          /** /readyz fails when the oldest due outbox row has waited longer than this. */
          outboxStuckSeconds: int().pipe(z.number().min(1)).default(900),
          /** The read-only web board of the desk under /board/ (src/http/board/); staff sign in by a mailed link. */
          board: bool().default(false),
          /** The board's address as staff reach it, for the sign-in link; default http://<listen>. */
          boardUrl: httpsUrl().optional(),
          /** HMAC key of the session cookies; default: a random one kept in the database. */
          boardSecret: nonEmpty().optional(),
          boardSessionHours: int().pipe(z.number().min(1)).default(12),
          /** How often an open board page with JavaScript fetches itself again. */
          boardRefreshSeconds: int().pipe(z.number().min(1)).default(30),
        }),
      ])
      .default({ listen: "127.0.0.1:9464", outboxStuckSeconds: 900, board: false, boardSessionHours: 12, boardRefreshSeconds: 30 }),
    /** Who CLI commands that change a case act as (`case assign N me`, `case status`, `case note`); SUPPORT_INBOX_STAFF sets it. */
    cli: z.strictObject({ staff: email().optional() }).prefault({}),
    log: z
      .strictObject({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.mailboxes.forEach((m, i) => {
      if (seen.has(m.name)) ctx.addIssue({ code: "custom", path: ["mailboxes", i, "name"], message: `duplicate mailbox name "${m.name}"` });
      seen.add(m.name);
    });
  })
  .transform((c) => ({ ...c, from: c.from ?? c.mailboxes[0]?.address ?? DEFAULT_MAILBOX.address }));

export type Config = z.output<typeof configSchema>;
export type MailboxConfig = Config["mailboxes"][number];
export type ImapMailboxConfig = Extract<MailboxConfig, { kind: "imap" }>;
export type MaildirMailboxConfig = Extract<MailboxConfig, { kind: "maildir" }>;
export type SmtpConfig = NonNullable<Config["smtp"]>;
export type LogLevel = Config["log"]["level"];
export type OAuth2Config = z.output<typeof oauth2Schema>;
