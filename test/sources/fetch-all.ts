import type { Cursor, MailSource } from "../../src/sources/types.js";

/** Fetches from `cursor` until a batch comes back empty: the UIDs in order, each batch's message sizes and cursor. */
export async function fetchAll(source: MailSource, cursor: Cursor | null, limit: number, maxBytes?: number) {
  const uids: string[] = [];
  const sizes: number[][] = [];
  const cursors: string[] = [];
  for (;;) {
    const batch = await source.fetchBatch(cursor, limit, undefined, maxBytes);
    if (batch.messages.length === 0) return { uids, sizes, cursors, cursor: batch.cursor };
    uids.push(...batch.messages.map((m) => m.key.uid));
    sizes.push(batch.messages.map((m) => m.raw.length));
    cursors.push(batch.cursor.lastUid);
    cursor = batch.cursor;
  }
}
