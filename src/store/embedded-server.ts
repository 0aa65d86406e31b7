/**
 * Serves the worker's PGlite to the other processes of the installation (CLI commands) over the
 * Postgres wire protocol on a Unix socket inside the data directory, so exactly one process ever
 * opens the files. @electric-sql/pglite-socket does the same but pins an older PGlite and, while a
 * client is attached, locks out the worker's own queries; this keeps the worker running beside it.
 *
 * PGlite is one Postgres session. Clients take turns with the worker on PGlite's transaction mutex
 * (the one its query(), exec() and transaction() hold): a client holds it from its first message until
 * the backend is idle again (ReadyForQuery 'I'), so a client's transaction never interleaves with the
 * worker's or another client's. Clients must not use named prepared statements (prepare: false), which
 * would outlive them in the shared session.
 */
import { createServer, type Server, type Socket } from "node:net";
import { unlink } from "node:fs/promises";
import type { PGlite } from "@electric-sql/pglite";

/** libpq's socket file name for port 5432: postgres.js finds it from the directory given as host. */
export const SOCKET_FILE = ".s.PGSQL.5432";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Sync, then ROLLBACK: ends whatever a client that vanished mid-transaction left open. */
const ROLLBACK = Buffer.concat([Buffer.from([0x53, 0, 0, 0, 4]), simpleQuery("ROLLBACK")]);

export interface EmbeddedServer {
  close(): Promise<void>;
}

export async function serveEmbedded(db: PGlite, socketPath: string): Promise<EmbeddedServer> {
  // A socket file left by a worker that died is in the way of listen(); the lock says it is ours now.
  await unlink(socketPath).catch(() => {});
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    new ClientSession(db, socket).start();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return { close: () => closeServer(server, sockets, socketPath) };
}

async function closeServer(server: Server, sockets: Set<Socket>, socketPath: string): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await closed;
  await unlink(socketPath).catch(() => {});
}

/** One client connection: splits its bytes into protocol messages and runs them on PGlite in turn. */
class ClientSession {
  private buffered = Buffer.alloc(0);
  private started = false;
  private release: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: PGlite,
    private readonly socket: Socket,
  ) {}

  start(): void {
    this.socket.on("data", (data) => this.receive(data));
    this.socket.on("error", () => this.socket.destroy());
    this.socket.on("close", () => void this.enqueue(() => this.abandon()));
  }

  private receive(data: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, data]);
    for (;;) {
      // Until the startup message, messages have no type byte: just a length and a request code.
      const header = this.started ? 1 : 0;
      if (this.buffered.length < header + 4) break;
      const size = header + this.buffered.readInt32BE(header);
      if (this.buffered.length < size) break;
      const message = this.buffered.subarray(0, size);
      this.buffered = this.buffered.subarray(size);
      if (this.started || isStartup(message)) {
        this.started = true;
        this.enqueue(() => this.handle(message));
      } else {
        this.enqueue(() => this.handlePreStartup(message));
      }
    }
  }

  private enqueue(step: () => Promise<void>): void {
    // A step that throws (PGlite closed under it) ends this client's connection; the others go on.
    this.chain = this.chain.then(step).catch(() => void this.socket.destroy());
  }

  private async handle(message: Buffer): Promise<void> {
    if (this.socket.destroyed) return;
    if (message[0] === 0x58) {
      this.socket.end(); // Terminate
      return;
    }
    if (this.release === null) this.release = await this.acquire();
    const reply = await this.db.execProtocolRaw(message);
    if (reply.length > 0) this.socket.write(reply);
    if (idleAfter(reply)) this.unlock();
  }

  /** SSL/GSS negotiation is declined ('N': the socket is local), a cancel request is not supported. */
  private async handlePreStartup(message: Buffer): Promise<void> {
    const code = message.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.socket.write("N");
    else if (code === CANCEL_REQUEST) this.socket.destroy();
  }

  /** The client went away: roll back what it left open, then let the others have the database. */
  private async abandon(): Promise<void> {
    if (this.release === null) return;
    try {
      await this.db.execProtocolRaw(ROLLBACK);
    } finally {
      this.unlock();
    }
  }

  private unlock(): void {
    this.release?.();
    this.release = null;
  }

  /** Holds PGlite's transaction mutex until the returned function is called. */
  private acquire(): Promise<() => void> {
    return new Promise((granted) => {
      void this.db._runExclusiveTransaction(() => new Promise<void>((done) => granted(done)));
    });
  }
}

/** A startup message (protocol 3.0) as opposed to an SSL, GSS or cancel request. */
function isStartup(message: Buffer): boolean {
  const code = message.readInt32BE(4);
  return code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST;
}

/** True when the reply ends with ReadyForQuery 'I': no transaction open, the session is free. */
function idleAfter(reply: Uint8Array): boolean {
  let status: number | null = null;
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let at = 0; at + 5 <= view.length; at += 1 + view.readInt32BE(at + 1)) {
    if (view[at] === 0x5a) status = view[at + 5] ?? null;
  }
  return status === 0x49;
}

function simpleQuery(text: string): Buffer {
  const body = Buffer.from(text + "\0", "utf8");
  const head = Buffer.alloc(5);
  head[0] = 0x51;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
