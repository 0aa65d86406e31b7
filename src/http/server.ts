/**
 * The worker's HTTP listener (config `http.listen`, default 127.0.0.1:9464): a table of GET routes, so
 * the health checks, /metrics and later the read-only board each add theirs without touching the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AppError } from "../errors.js";

export interface Reply {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  /** Further response headers (the board's security headers, cookies, Content-Disposition). */
  headers?: Record<string, string | string[]>;
}

/**
 * A route answers one path; a key ending in "/*" (the board's "/board/*") answers every path below it and
 * every method: it checks them itself.
 */
export type Route = (request: IncomingMessage) => Promise<Reply>;

export interface HttpListener {
  /** host:port actually bound (port 0 in tests picks a free one). */
  address: string;
  close(): Promise<void>;
}

export const text = (status: number, body: string): Reply => ({ status, contentType: "text/plain; charset=utf-8", body: body.endsWith("\n") ? body : body + "\n" });

export async function listen(hostPort: string, routes: Map<string, Route>, onError: (error: unknown) => void): Promise<HttpListener> {
  const { host, port } = parseListen(hostPort);
  const server = createServer((request, response) => void answer(routes, request, response, onError));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new AppError("E_HTTP_LISTEN", `cannot listen on ${hostPort} (http.listen): ${error.message}`, undefined, { cause: error })));
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const address = typeof bound === "object" && bound ? `${bound.address}:${bound.port}` : hostPort;
  return { address, close: () => closeServer(server) };
}

async function answer(routes: Map<string, Route>, request: IncomingMessage, response: ServerResponse, onError: (error: unknown) => void): Promise<void> {
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  const prefixed = [...routes.keys()].find((key) => key.endsWith("/*") && (path + "/").startsWith(key.slice(0, -1)));
  const route = routes.get(path) ?? (prefixed === undefined ? undefined : routes.get(prefixed));
  let reply: Reply;
  if (request.method !== "GET" && request.method !== "HEAD" && !(route && prefixed && !routes.has(path))) reply = text(405, "only GET");
  else if (!route) reply = text(404, `no such page; try ${[...routes.keys()].join(", ")}`);
  else {
    try {
      reply = await route(request);
    } catch (error) {
      onError(error);
      reply = text(500, `error: ${(error as Error).message}`);
    }
  }
  response.writeHead(reply.status, { ...reply.headers, "content-type": reply.contentType });
  response.end(request.method === "HEAD" ? undefined : reply.body);
}

export function parseListen(hostPort: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(hostPort);
  if (!match) throw new AppError("E_INVALID", `http.listen must be host:port, e.g. 127.0.0.1:9464, not "${hostPort}"`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, "$1"), port: Number(match[2]) };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
