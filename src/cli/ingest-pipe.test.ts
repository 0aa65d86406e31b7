/** The pipe client's own decisions: which command lines it takes, and what a connection without a verdict means. */
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { handToWorker, parsePipeArgs } from "./ingest-pipe.js";

describe("parsePipeArgs", () => {
  it("takes the plain pipe forms", () => {
    expect(parsePipeArgs(["ingest"])).toEqual({ json: false });
    expect(parsePipeArgs(["-c", "/etc/si.yaml", "ingest", "--mailbox", "support", "--json"])).toEqual({ config: "/etc/si.yaml", mailbox: "support", json: true });
    expect(parsePipeArgs(["--config=/etc/si.yaml", "ingest", "--received-at=Mon, 03 Mar 2025 10:00:00 +0000"])).toEqual({ config: "/etc/si.yaml", receivedAt: "Mon, 03 Mar 2025 10:00:00 +0000", json: false });
  });

  it("leaves everything else to commander (help, dry runs, unknown or incomplete options, other commands)", () => {
    for (const args of [["ingest", "--help"], ["ingest", "--dry-run"], ["ingest", "--verbose"], ["ingest", "--mailbox"], ["case", "list"], ["ingest", "ingest"], ["--config"], []]) {
      expect(parsePipeArgs(args), args.join(" ")).toBeNull();
    }
  });
});

describe("handToWorker", () => {
  const dir = mkdtempSync(join(tmpdir(), "si-pipe-client-"));
  const path = join(dir, "ingest.sock");
  const raw = Buffer.from("From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n");

  it("says no worker is there when the socket does not exist", async () => {
    expect(await handToWorker(path, { json: false }, raw)).toBe("absent");
  });

  it("exits 75 when the worker closes the connection without a verdict (it stopped mid-message)", async () => {
    // Reads the whole request, then goes away without answering, as a worker killed mid-message does.
    const server = createServer({ allowHalfOpen: true }, (socket) => socket.on("end", () => socket.destroy()).resume());
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const reply = await handToWorker(path, { json: false }, raw);
      expect(reply).toMatchObject({ code: 75, stdout: "" });
      expect(reply !== "absent" && reply.stderr).toMatch(/closed the connection without a verdict.*the MTA keeps the message and retries/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
