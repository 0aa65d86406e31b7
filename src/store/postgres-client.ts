/**
 * The postgres.js pool as the service opens it, hardened for a server that stops and starts under it.
 * postgres.js 3.4.9 has three ways to lose a worker when the server goes away, all reproduced by
 * test/worker/database-outage.test.ts (porsager/postgres#1154, #1208, #1209):
 *
 * 1. A `socket` factory that throws (connection refused) leaves its pool slot in "connecting" for good:
 *    postgres.js reports the error but never runs its close handler. After `max` refusals every query
 *    waits for ever. So the factory returns the socket at once and lets it fail like the driver's own.
 * 2. A small write is flushed from a setImmediate. If the socket closes first, the close handler cancels
 *    the flush without forgetting it, and no later write on that connection is ever flushed (each
 *    reconnect's startup message included): the slot is dead for the life of the process. So the socket
 *    announces its close one setImmediate late, after any flush queued before it.
 * 3. When a query in `begin()` fails because the connection died, postgres.js writes ROLLBACK on that
 *    dead connection; its flush reads a null socket in a setImmediate: an uncaught TypeError that ends the
 *    process. So a transaction's body never hands postgres.js a connection-loss failure while the
 *    connection is closing: begin() rejects on its own when the connection closes.
 * 4. Every new connection first looks up the array types, from a promise nobody awaits: a server that
 *    stops during that lookup is an unhandled rejection that ends the process. The types are the same
 *    for the life of the database, so after the first connection has them (`typesLoaded`), later ones
 *    skip the lookup.
 */
import { connect as connectSocket, type Socket } from "node:net";
import postgres from "postgres";
import { isConnectionLoss } from "./errors.js";

export type PostgresClient = postgres.Sql<{}>;

/** How long a transaction body that failed on a lost connection waits for the connection to close. */
const CLOSE_GRACE_MS = 5_000;

/** `extra`: further driver options, e.g. the embedded database's socket (store/database.ts openSocket). */
export function createPostgresClient(url: string, max: number, extra: Record<string, unknown> = {}): PostgresClient {
  // Notices ("relation already exists, skipping") are noise on stdout; errors still throw.
  // `socket` is a documented driver option its type definitions leave out.
  const client = postgres(url, { max, onnotice: () => {}, socket: noDelaySocket(), ...extra } as postgres.Options<{}>);
  return guardTransactions(client);
}

/**
 * Called once a query has succeeded (so the array types are loaded into the shared parsers): connections
 * opened from now on, after an outage too, skip the unawaited lookup (4 above). `options` is the driver's
 * parsed options object, shared by every connection of the pool and read at each connect.
 */
export function typesLoaded(client: PostgresClient): void {
  (client.options as { fetch_types: boolean }).fetch_types = false;
}

/**
 * Connections with Nagle's algorithm off, as libpq makes them. postgres.js leaves it on, which costs
 * nothing for its single-write queries but holds a COPY's last small message (CopyDone) back until the
 * server acknowledges the large one before it: 40 ms per attachment COPY on loopback (copy.ts).
 * Hosts are tried in turn, one per connection attempt, like the driver does without this option.
 * The socket is returned while it connects (writes wait for the connection); a refusal or a timeout
 * then reaches the driver as the socket's error and close, as with its own sockets (1 above).
 */
function noDelaySocket(): (options: { host: string[]; port: number[]; path?: string | false }) => Socket {
  let next = 0;
  return (options) => {
    const index = next++ % Math.max(1, options.host.length);
    const socket = options.path
      ? connectSocket({ path: options.path })
      : connectSocket({ host: options.host[index] ?? "localhost", port: options.port[index] ?? options.port[0] ?? 5432, noDelay: true });
    return closingLate(socket);
  };
}

/**
 * Re-emits "close" one setImmediate later (2 above), always as a clean close: postgres.js then rejects
 * every query still waiting on the connection, including one written between the socket's error and its
 * close, which it would otherwise leave pending for ever.
 */
function closingLate(socket: Socket): Socket {
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== "close") return emit(event, ...args);
    setImmediate(() => emit("close", false));
    return true;
  }) as Socket["emit"];
  return socket;
}

type Body = (tx: postgres.TransactionSql<{}>) => unknown;

/** The pool with `begin` replaced by one whose body never triggers a ROLLBACK on a dead connection (3 above). */
function guardTransactions(client: PostgresClient): PostgresClient {
  const begin = client.begin.bind(client) as (options: string, body: Body) => Promise<unknown>;
  const guardedBegin = (...args: [Body] | [string, Body]) => {
    const [options, body] = args.length === 1 ? ["", args[0]] : args;
    let settled = false;
    const done = begin(options, async (tx) => {
      try {
        return await body(tx);
      } catch (error) {
        if (!isConnectionLoss(error)) throw error;
        return await afterConnectionClosed(error, () => settled);
      }
    });
    done.then(
      () => (settled = true),
      () => (settled = true),
    );
    return done;
  };
  return new Proxy(client, { get: (target, prop, receiver) => (prop === "begin" ? guardedBegin : Reflect.get(target, prop, receiver)) });
}

/**
 * Holds a transaction body's connection-loss failure. Normally the connection closes within a tick and
 * postgres.js rejects begin() with the close: this promise is then left unsettled, so no ROLLBACK is
 * written, and is collected with the transaction. A connection still open after the grace period is
 * alive, and the failure goes on to postgres.js's ROLLBACK as usual.
 */
function afterConnectionClosed(error: unknown, transactionSettled: () => boolean): Promise<never> {
  return new Promise((_resolve, reject) => {
    setTimeout(() => {
      if (!transactionSettled()) reject(error);
    }, CLOSE_GRACE_MS).unref();
  });
}
