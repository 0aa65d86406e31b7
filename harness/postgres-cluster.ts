/**
 * A private Postgres cluster for tests and benchmarks that stop the database under the code: `initdb`
 * into a temp dir, `pg_ctl` on a free loopback port, its socket in that dir. It never touches the
 * machine's shared server (the one on 5432 other tests use). initdb refuses root, so as root every
 * binary runs as the `postgres` user (runuser) on a data dir that user owns.
 *
 *   const pg = await startPostgresCluster();
 *   const url = await pg.createDatabase("outage");    // postgres://postgres@127.0.0.1:PORT/outage
 *   await pg.stop("fast"); await pg.start();           // an outage; same port, same data
 *   await pg.destroy();                                 // stops (immediate) and deletes the dir
 */
import { execFile } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { freePort } from "./free-port.js";

const run = promisify(execFile);
const BIN_DIRS = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/14/bin"];
const SERVICE_USER = "postgres";

/** `pg_ctl stop` modes: fast (sessions terminated with 57P01), immediate (no goodbye: sockets just close). */
export type StopMode = "smart" | "fast" | "immediate";

export interface PostgresCluster {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly dataDir: string;
  /** Server log (pg_ctl -l), for a failing test's message. */
  readonly logFile: string;
  /** URL of a database on this cluster as the `postgres` superuser, trust auth (default database: postgres). */
  url(database?: string): string;
  /** CREATE DATABASE; returns its url. */
  createDatabase(name: string): Promise<string>;
  /** pg_ctl stop -m mode, waiting until the server is down. */
  stop(mode?: StopMode): Promise<void>;
  /** pg_ctl start, waiting until it accepts connections (same port, same data). */
  start(): Promise<void>;
  running(): Promise<boolean>;
  /** Stops (immediate) if running and deletes the data dir. */
  destroy(): Promise<void>;
}

export class PostgresClusterError extends Error {
  readonly code = "E_PG_CLUSTER";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PostgresClusterError";
  }
}

const binDir = (): string | undefined => BIN_DIRS.find((d) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl")));

/** Why a private cluster cannot be started here, or null when it can. */
export function postgresClusterSkipReason(): string | null {
  if (!binDir()) return `initdb/pg_ctl not found in ${BIN_DIRS.join(", ")} (apt-get install postgresql)`;
  if (process.getuid?.() !== 0) return "a private Postgres cluster needs root, to run initdb and pg_ctl as the postgres user";
  return null;
}

export async function startPostgresCluster(opts: { port?: number } = {}): Promise<PostgresCluster> {
  const reason = postgresClusterSkipReason();
  if (reason) throw new PostgresClusterError(reason);
  const bin = binDir()!;
  const root = await fs.mkdtemp(join(tmpdir(), "pg-cluster-"));
  await fs.chmod(root, 0o755); // the postgres user must reach its data dir inside
  const dataDir = join(root, "data");
  const logFile = join(root, "server.log");
  const port = opts.port ?? (await freePort());
  await fs.mkdir(dataDir, { mode: 0o700 });
  await run("chown", [`${SERVICE_USER}:${SERVICE_USER}`, dataDir, root]);
  const asService = (tool: string, args: string[]) => run("runuser", ["-u", SERVICE_USER, "--", join(bin, tool), ...args], { cwd: root });

  try {
    await asService("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"]);
    // Settings in the file, not on pg_ctl's command line, so every start gets them. fsync is off: only an
    // OS crash would lose data then. synchronous_commit stays on: an immediate stop (a server crash)
    // would otherwise lose commits the worker has seen succeed, which is what outage tests count.
    const settings = [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${root}'`,
      "fsync = off",
      "full_page_writes = off",
      "max_connections = 100",
    ];
    await fs.appendFile(join(dataDir, "postgresql.conf"), `\n# harness/postgres-cluster.ts\n${settings.join("\n")}\n`);
  } catch (error) {
    await fs.rm(root, { recursive: true, force: true });
    throw new PostgresClusterError(`initdb failed in ${dataDir}: ${messageOf(error)}`, { cause: error });
  }

  const pgCtl = async (args: string[]) => {
    try {
      await asService("pg_ctl", ["-D", dataDir, ...args]);
    } catch (error) {
      const log = await fs.readFile(logFile, "utf8").catch(() => "");
      throw new PostgresClusterError(`pg_ctl ${args.join(" ")} failed: ${messageOf(error)}\n${log.slice(-2000)}`, { cause: error });
    }
  };
  const running = async () => {
    try {
      await asService("pg_ctl", ["-D", dataDir, "status"]);
      return true;
    } catch {
      return false; // pg_ctl status exits 3 when no server runs
    }
  };
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const start = () => pgCtl(["-l", logFile, "-w", "-t", "60", "start"]);
  await start();

  return {
    host: "127.0.0.1",
    port,
    dataDir,
    logFile,
    url,
    async createDatabase(name) {
      const admin = postgres(url(), { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
      } finally {
        await admin.end({ timeout: 1 });
      }
      return url(name);
    },
    stop: (mode = "fast") => pgCtl(["-m", mode, "-w", "-t", "60", "stop"]),
    start,
    running,
    async destroy() {
      if (await running()) await pgCtl(["-m", "immediate", "-w", "stop"]);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

function messageOf(error: unknown): string {
  const e = error as { message?: string; stderr?: string };
  return [e.message, e.stderr].filter(Boolean).join(": ") || String(error);
}
