/**
 * A private Dovecot 2.3 for tests and benchmarks: generated config in a temp dir, loopback on a
 * free port, plaintext auth, Maildir storage owned by the `dovecot` user. It never touches the
 * system instance (own base_dir, instance_name, state_dir).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import { createConnection } from "node:net";
import { freePort } from "./free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";

const run = promisify(execFile);
const DOVECOT_BIN = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].find((p) => existsSync(p));
const DOVEADM_BIN = ["/usr/bin/doveadm", "/usr/local/bin/doveadm"].find((p) => existsSync(p));

/** Why Dovecot tests cannot run here, or null when they can. */
export function dovecotSkipReason(): string | null {
  if (!DOVECOT_BIN || !DOVEADM_BIN) return "dovecot binary not found (apt-get install dovecot-imapd)";
  if (process.getuid?.() !== 0) return "dovecot tests need root to start a private Dovecot as the dovecot user";
  return null;
}

export interface FolderEntry {
  uid: number;
  flags: string[];
  raw: Buffer;
}

export interface DovecotHarness {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Maildir of the test user (Dovecot's layout: INBOX at the root, folders as .Name). */
  mailDir: string;
  stop(): Promise<void>;
  /** Stops and starts again on the same port with the same mail. */
  restart(): Promise<void>;
  /** Stops the server but keeps its mail, for tests of an outage; `startServer` brings it back. */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  createFolder(folder: string): Promise<void>;
  /** `internalDate`: the INTERNALDATE the server records (when it "received" the message); default now. */
  appendMessage(raw: Buffer | string, folder?: string, internalDate?: Date): Promise<number>;
  listFolder(folder: string): Promise<FolderEntry[]>;
  /** Forces a new UIDVALIDITY (what a server does after a mailbox rebuild). */
  setUidValidity(folder: string, value: number): Promise<void>;
}

export interface DovecotOptions {
  /**
   * Also accept OAuth2 logins: Dovecot's oauth2 passdb POSTs each token to this RFC 7662 introspection
   * URL (served by the test) and accepts it when the answer has active=true and username = the user.
   */
  oauth2?: { introspectionUrl: string; mechanisms?: Array<"xoauth2" | "oauthbearer"> };
}

export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotHarness> {
  const reason = dovecotSkipReason();
  if (reason) throw new Error(reason);
  const root = await fs.mkdtemp(join(tmpdir(), "dovecot-test-"));
  await fs.chmod(root, 0o755); // login/imap processes run as other users and must traverse it
  const port = await freePort();
  const user = "support";
  const password = "test-password";
  const conf = join(root, "dovecot.conf");
  await fs.mkdir(join(root, "mail"), { recursive: true });
  await run("chown", ["dovecot:dovecot", join(root, "mail")]);
  await fs.writeFile(conf, configText(root, port, password, options.oauth2 && (await oauth2Config(root, options.oauth2))));
  let child: ChildProcess | null = null;
  let appender: ImapFlow | null = null;

  const start = async () => {
    // Own process group: stopping kills the whole instance, IMAP sessions included (the master
    // alone exiting leaves running sessions alive, which would hide a real outage from tests).
    child = spawn(DOVECOT_BIN!, ["-F", "-c", conf], { stdio: ["ignore", "ignore", "pipe"], detached: true });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    await waitForPort(port, () => child?.exitCode ?? null, () => stderr, join(root, "dovecot.log"));
  };
  const stop = async () => {
    await appender?.logout().catch(() => appender?.close());
    appender = null;
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    process.kill(-proc.pid!, "SIGTERM");
    await exited;
    try {
      process.kill(-proc.pid!, "SIGKILL"); // sessions that outlived the master
    } catch {
      // ESRCH: the group is already gone
    }
  };
  const client = async () => {
    if (appender?.usable) return appender;
    appender = new ImapFlow({ host: "127.0.0.1", port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
    appender.on("error", () => {}); // a restart closes it; the next call opens a new one
    await appender.connect();
    return appender;
  };

  await start();
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    mailDir: join(root, "mail", user),
    async stop() {
      await stop();
      await fs.rm(root, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      await start();
    },
    stopServer: stop,
    startServer: start,
    async createFolder(folder) {
      await (await client()).mailboxCreate(folder);
    },
    async appendMessage(raw, folder = "INBOX", internalDate) {
      const c = await client();
      if (folder !== "INBOX") await c.mailboxCreate(folder).catch(() => undefined);
      const res = internalDate ? await c.append(folder, raw, [], internalDate) : await c.append(folder, raw);
      return res && res.uid ? res.uid : 0;
    },
    async listFolder(folder) {
      const c = await client();
      const lock = await c.getMailboxLock(folder);
      try {
        if (c.mailbox && c.mailbox.exists === 0) return [];
        const msgs = await c.fetchAll("1:*", { uid: true, flags: true, source: true });
        return msgs.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].sort(), raw: m.source ?? Buffer.alloc(0) }));
      } finally {
        lock.release();
      }
    },
    async setUidValidity(folder, value) {
      await run(DOVEADM_BIN!, ["-c", conf, "mailbox", "update", "-u", user, "--uid-validity", String(value), folder]);
    },
  };
}

/** The oauth2 passdb's own file and the lines dovecot.conf needs for it. */
async function oauth2Config(root: string, o: NonNullable<DovecotOptions["oauth2"]>): Promise<{ mechanisms: string; passdb: string }> {
  const file = join(root, "dovecot-oauth2.conf.ext");
  await fs.writeFile(
    file,
    `introspection_mode = post\nintrospection_url = ${o.introspectionUrl}\nforce_introspection = yes\n` +
      "username_attribute = username\nactive_attribute = active\nactive_value = true\ntimeout_msecs = 5000\n",
  );
  const mechanisms = (o.mechanisms ?? ["xoauth2", "oauthbearer"]).join(" ");
  return { mechanisms, passdb: `passdb {\n  driver = oauth2\n  mechanisms = ${mechanisms}\n  args = ${file}\n}\n` };
}

function configText(root: string, port: number, password: string, oauth2?: { mechanisms: string; passdb: string }): string {
  return `# generated by harness/dovecot.ts
protocols = imap
listen = 127.0.0.1
base_dir = ${root}/run
state_dir = ${root}/state
instance_name = support-inbox-test-${port}
log_path = ${root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${oauth2 ? ` ${oauth2.mechanisms}` : ""}
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:${root}/mail/%u
mail_plugins =
passdb {
  driver = static
  args = password=${password}${oauth2 ? "\n  mechanisms = plain login" : ""}
}
${oauth2?.passdb ?? ""}userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${root}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  inet_listener http {
    port = 0
  }
}
`;
}

/** Polls the port until Dovecot accepts; fails with Dovecot's own log if it exited. */
async function waitForPort(
  port: number,
  exitCode: () => number | null,
  stderr: () => string,
  logFile: string,
): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (exitCode() !== null) {
      const log = await fs.readFile(logFile, "utf8").catch(() => "");
      throw new Error(`dovecot exited with ${exitCode()}: ${stderr()}\n${log}`);
    }
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not accept connections on 127.0.0.1:${port} within 10 s: ${stderr()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
