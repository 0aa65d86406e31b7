/**
 * bin/support-inbox-pipe, the Perl pipe client, speaks the worker's pipe protocol (src/inbound/pipe-protocol.ts)
 * exactly as the Node client does. Here the other end is a socket server using that module's own decoder and
 * answering what a test chooses, so the cases a live worker rarely produces are covered: every byte of a
 * verdict with quotes, control characters, accents and emoji; a worker that dies before its verdict; config
 * files the client must read (or leave to the Node CLI) to find the socket. pipe-socket.test.ts runs it
 * against a real worker on both databases.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeRequest, PIPE_SOCKET, type PipeReply, type PipeRequest } from "../../src/inbound/pipe-protocol.js";
import { cleanEnv } from "../cli-start/cli.js";
import { PIPE_BIN, runWithStdin } from "./cli.js";

const T = 60_000;
const MESSAGE = Buffer.from("From: jane.doe@customer.example\r\nSubject: Ünïcode \u{1F525}\r\n\r\nbody with a NUL-free \xff byte\r\n", "latin1");

interface Heard {
  request: PipeRequest;
  raw: Buffer;
}

/** A worker stand-in on `<dir>/data/ingest.sock`: records each request and answers with `reply` (null: hang up). */
async function listen(socketDir: string, reply: PipeReply | null): Promise<{ server: Server; heard: Heard[] }> {
  const heard: Heard[] = [];
  const server = createServer((socket: Socket) => {
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("end", () => {
      const decoded = decodeRequest(Buffer.concat(chunks));
      if (typeof decoded === "string") throw new Error(decoded);
      heard.push(decoded);
      if (reply) socket.end(`${JSON.stringify(reply)}\n`);
      else socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(join(socketDir, PIPE_SOCKET), resolve));
  return { server, heard };
}

describe("bin/support-inbox-pipe against the pipe protocol", () => {
  let dir = "";
  let server: Server | null = null;
  const pipe = (args: string[], env: Record<string, string> = {}, stdin = MESSAGE) => runWithStdin(args, stdin, dir, cleanEnv(env), [PIPE_BIN]);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "pipe-client-"));
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "data")));
  });
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = null;
  });

  it("hands over the message byte for byte with its options, and prints the verdict byte for byte", async () => {
    const reply: PipeReply = {
      code: 1,
      stdout: '{"outcome":"quarantined","note":"quotes \\" and \\\\ backslash","tab":"\t"}\n',
      stderr: "support-inbox ingest: message not accepted: Ünïcode \u{1F525}, \u0001 control, \r\n and a lone surrogate \ud800.\n",
    };
    const worker = await listen(join(dir, "data"), reply);
    server = worker.server;
    const run = await pipe(["ingest", "--json", "--mailbox", 'sup"port\\é', "--received-at=2026-12-04T09:00:00Z"]);
    expect(worker.heard).toHaveLength(1);
    expect(worker.heard[0]!.request).toEqual({ json: true, mailbox: 'sup"port\\é', receivedAt: "2026-12-04T09:00:00Z" });
    expect(worker.heard[0]!.raw.equals(MESSAGE)).toBe(true);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(reply.stdout);
    // JSON.stringify writes a lone surrogate as \ud800: printed as U+FFFD, as Node prints it.
    expect(run.stderr).toBe(reply.stderr.replace("\ud800", "\ufffd"));
  }, T);

  it("exits 75 with the Node client's message when the worker hangs up before its verdict", async () => {
    const worker = await listen(join(dir, "data"), null);
    server = worker.server;
    const run = await pipe(["ingest"]);
    expect(worker.heard).toHaveLength(1);
    expect(run.code).toBe(75);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`the worker at ${join("data", PIPE_SOCKET)} closed the connection without a verdict`);
    expect(run.stderr).toContain("the MTA keeps the message and retries");
  }, T);

  it("finds the socket under a config's plain, quoted or ${ENV} dataDir, the last through the Node client", async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), "pipe-client-data-"));
    const worker = await listen(elsewhere, { code: 0, stdout: "new-case case #7 <m@x>\n", stderr: "" });
    server = worker.server;
    const configs = [
      `# dataDir is where the embedded database lives\ndatabase:\n  dataDir: ${elsewhere}   # absolute\nmailboxes: []\n`,
      `database:\n  dataDir: '${elsewhere}'\n`,
      `database:\n  dataDir: \${SI_TEST_DATA}\n`,
    ];
    for (const [i, text] of configs.entries()) {
      await writeFile(join(dir, `c${i}.yaml`), text);
      const run = await pipe(["--config", `c${i}.yaml`, "ingest"], { SI_TEST_DATA: elsewhere });
      expect({ i, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ i, code: 0, stdout: "new-case case #7 <m@x>\n", stderr: "" });
    }
    expect(worker.heard).toHaveLength(configs.length);
  }, T);

  it("leaves every other command to the Node CLI, with the same output and exit code", async () => {
    const help = await pipe(["ingest", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: support-inbox ingest");
    const empty = await pipe(["ingest"], {}, Buffer.alloc(0));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("no message on stdin");
  }, T);
});
