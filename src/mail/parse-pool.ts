/**
 * Where MIME parsing runs. Parsing a large base64 attachment costs ~10 ms per MB of CPU; on the ingest
 * worker's main thread that time is taken from IMAP and the Postgres driver, so the daemon parses on
 * worker threads (createParsePool) while embedded setups, tests and one-shot commands parse inline.
 * Both give exactly what parseMessage gives, and fail the same way.
 */
import type { MessageParser } from "./message.js";
import { parseMessage } from "./parse.js";
import { ParsePool } from "./parse-pool-threads.js";

export { ParsePoolError } from "./parse-pool-threads.js";

/** Calls parseMessage on the calling thread (PGlite/embedded, tests, `ingest`). Shared, so close() does nothing. */
export const inlineParser: MessageParser = {
  parse: (raw, limits) => parseMessage(raw, limits),
  close: async () => {},
  inFlight: 1,
};

/** `threads` worker threads (>= 1); messages are handed to the least busy thread. */
export function createParsePool(options: { threads: number }): MessageParser {
  return new ParsePool(options.threads);
}
