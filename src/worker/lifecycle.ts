/**
 * Graceful shutdown: the first SIGINT/SIGTERM aborts the worker's AbortController, so the current
 * tick finishes and connections close in order. A backstop timer (unref'd, so it never keeps the
 * process alive by itself) and a second signal call `forceExit`, which the CLI supplies; library
 * code never calls process.exit.
 */
import { SystemClock, type Clock } from "../clock/clock.js";
import type { Logger } from "../log/logger.js";

export interface ShutdownOptions {
  controller: AbortController;
  logger: Logger;
  /** How long a graceful stop may take before `forceExit` (default 30 s). */
  backstopMs?: number;
  /** Called when stopping hangs or a second signal arrives; the CLI exits with this code. */
  forceExit: (code: number) => void;
  /** Injected for tests; default the real process. */
  processLike?: Pick<NodeJS.Process, "on" | "off">;
  /** Tells a repeated signal from the same one delivered twice; default the system clock. */
  clock?: Pick<Clock, "now">;
}

/**
 * The same signal again within this long is one stop delivered twice, not a person insisting: `kill` of a
 * process group (systemd, a supervisor, Ctrl-C in some shells) reaches node directly and again through the
 * `npm start`/tsx wrapper that forwards it.
 */
const DUPLICATE_SIGNAL_MS = 1_000;

export const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Installs the handlers; the returned function removes them and cancels the backstop. */
export function installShutdownHandlers(options: ShutdownOptions): () => void {
  const { controller, logger, backstopMs = 30_000, forceExit } = options;
  const proc = options.processLike ?? process;
  const clock = options.clock ?? new SystemClock();
  let backstop: NodeJS.Timeout | undefined;
  let first: { signal: NodeJS.Signals; at: number } | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (first && first.signal === signal && clock.now() - first.at < DUPLICATE_SIGNAL_MS) {
      logger.info({ signal }, "same signal again at once (forwarded by a wrapper): still stopping gracefully");
      return;
    }
    if (controller.signal.aborted) {
      logger.warn({ signal }, "second signal: exiting without waiting for the current tick");
      forceExit(130);
      return;
    }
    first = { signal, at: clock.now() };
    logger.info({ signal, backstopMs }, "stopping: finishing the current tick, then closing connections");
    controller.abort(new Error(`received ${signal}`));
    backstop = setTimeout(() => {
      logger.error({ backstopMs }, "graceful stop took too long; forcing exit");
      forceExit(1);
    }, backstopMs);
    backstop.unref();
  };

  for (const signal of SHUTDOWN_SIGNALS) proc.on(signal, onSignal);
  return () => {
    for (const signal of SHUTDOWN_SIGNALS) proc.off(signal, onSignal);
    if (backstop) clearTimeout(backstop);
  };
}
