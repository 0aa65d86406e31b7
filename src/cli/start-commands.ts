/**
 * `support-inbox start`: loads the config, says what runs on embedded defaults, applies pending
 * migrations and runs the worker loop until SIGINT/SIGTERM (or one tick with --once).
 */
import type { Command } from "commander";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { createContext, type AppContext } from "../context.js";
import { healthRoutes } from "../http/health.js";
import { boardRoutes } from "../http/board/routes.js";
import { deskFromConfig } from "../desk.js";
import { createMetrics, type WorkerMetrics } from "../http/metrics.js";
import { listen, type HttpListener } from "../http/server.js";
import { createLogger, redactUrlCredentials, type Logger } from "../log/logger.js";
import { openWorkerLocks } from "../store/worker-locks.js";
import { installShutdownHandlers } from "../worker/lifecycle.js";
import { buildWorker, type WorkerWiring } from "../worker/jobs.js";
import { runWorker } from "../worker/run.js";
import { listenPipeSocket } from "../worker/pipe-socket.js";

export function registerStartCommands(program: Command): void {
  program
    .command("start")
    .description("run the worker: read the mailboxes, tick the SLA scheduler, deliver the outbox (stop with Ctrl-C)")
    .option("--once", "run a single tick and exit (for cron and tests)")
    .action(async (opts: { once?: boolean }, command: Command) => {
      const { config } = command.optsWithGlobals<{ config?: string }>();
      await startWorker({ configPath: config, once: opts.once === true });
    });
}

export async function startWorker(options: { configPath?: string; once: boolean }): Promise<void> {
  const loaded = loadConfig({ path: options.configPath, env: process.env });
  const logger = createLogger(loaded.config);
  describeSetup(loaded, logger);

  const ctx = await createContext(loaded.config, { logger, migrate: true, configFile: loaded.file, serveEmbedded: true });
  const controller = new AbortController();
  const removeHandlers = installShutdownHandlers({
    controller,
    logger,
    // The CLI shell is the one place allowed to end the process, and only when a stop hangs.
    forceExit: (code) => process.exit(code),
  });
  try {
    logger.info({ database: ctx.database.kind }, "database ready, migrations applied");
    // This worker's presence and mailbox ownership, on a session of their own (store/worker-locks.ts).
    const locks = await openWorkerLocks(ctx.database, loaded.config.database.url);
    const metrics = createMetrics(ctx.database.db, ctx.clock);
    const wiring = buildWorker(ctx, { once: options.once, locks, metrics });
    const { jobs, services } = wiring;
    const http = options.once ? null : await startHttp(ctx, wiring, metrics);
    // `support-inbox ingest` (the MTA pipe) hands its message to this worker instead of starting the application.
    const pipe = options.once ? null : await listenPipeSocket(ctx, { onStored: wiring.wakeOutbox });
    try {
      await runWorker({
      clock: ctx.clock,
      logger: logger.child({ subsystem: "worker" }),
      signal: controller.signal,
      jobs,
      services,
      tickMs: loaded.config.scheduler.tickSeconds * 1000,
      once: options.once,
      });
    } finally {
      await pipe?.close();
      await http?.close();
      await wiring.close();
      await locks.close();
    }
  } finally {
    removeHandlers();
    await ctx.close();
    logger.info("stopped");
  }
}

/** /healthz, /readyz and /metrics on http.listen, unless the config says `http: false`. */
async function startHttp(ctx: AppContext, wiring: WorkerWiring, metrics: WorkerMetrics): Promise<HttpListener | null> {
  const { http } = ctx.config;
  if (http === false) return null;
  const logger = ctx.logger.child({ subsystem: "http" });
  const routes = healthRoutes({ db: ctx.database.db, clock: ctx.clock, database: wiring.database, mailboxes: wiring.mailboxes, outboxStuckSeconds: http.outboxStuckSeconds, metrics });
  let listener: HttpListener | undefined;
  if (http.board) {
    const board = boardRoutes({
      db: ctx.database.db,
      clock: ctx.clock,
      desk: deskFromConfig(ctx.config, ctx.policies),
      logger: ctx.logger.child({ subsystem: "board" }),
      baseUrl: () => http.boardUrl ?? `http://${listener?.address ?? http.listen}`,
      secret: http.boardSecret,
      sessionHours: http.boardSessionHours,
      refreshSeconds: http.boardRefreshSeconds,
      onQueued: wiring.wakeOutbox,
    });
    for (const [path, route] of board) routes.set(path, route);
  }
  try {
    listener = await listen(http.listen, routes, (error) => logger.error({ err: error }, "HTTP request failed"));
  } catch (error) {
    // The desk matters more than its gauges: say so loudly (a health check will notice) and run on.
    logger.error({ err: error }, `${(error as Error).message}; health and metrics are off`);
    return null;
  }
  logger.info({ address: listener.address }, `health and metrics on http://${listener.address}/ (healthz, readyz, metrics)`);
  if (http.board) logger.info({ address: listener.address }, `the board on ${http.boardUrl ?? `http://${listener.address}`}/board/ (staff sign in with a mailed link)`);
  return listener;
}

/** One line per part, so an operator sees at a glance what is real and what is the embedded default. */
function describeSetup({ config, file, embedded }: LoadedConfig, logger: Logger): void {
  if (file) logger.info({ file }, `config loaded from ${file}`);
  else logger.info("no config file (./support-inbox.yaml, --config or SUPPORT_INBOX_CONFIG): running on embedded defaults");

  if (embedded.database) logger.info({ embedded: true, dataDir: config.database.dataDir }, `embedded PGlite database in ${config.database.dataDir}`);
  else logger.info({ database: redactUrlCredentials(config.database.url ?? "") }, "Postgres database from database.url / DATABASE_URL");

  for (const m of config.mailboxes) {
    if (m.kind === "maildir") {
      logger.info({ mailbox: m.name, address: m.address, embedded: embedded.mailbox }, `Maildir mailbox at ${m.maildir.path} (deliver into tmp/, then rename into new/)`);
    } else {
      logger.info({ mailbox: m.name, address: m.address, host: m.imap.host, folder: m.imap.folder }, `IMAP mailbox ${m.name} at ${m.imap.host}:${m.imap.port}`);
    }
  }

  if (config.smtp) logger.info({ host: config.smtp.host, port: config.smtp.port }, `outgoing mail sent through SMTP ${config.smtp.host}:${config.smtp.port}`);
  else logger.info({ embedded: true, outboxDir: config.outboxDir }, `outgoing mail written as .eml files into ${config.outboxDir}`);
}
