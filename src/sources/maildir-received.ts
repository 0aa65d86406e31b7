/**
 * When a Maildir message was delivered: the time a delivery agent writes first in the file name (the Maildir
 * convention "time.unique.host", e.g. `1733322000.M123456P456.host` from Dovecot or Postfix: seconds since the
 * epoch, M the microseconds), else the file's mtime, which the delivery set when it wrote the file. Never the
 * Date: header (the sender sets it). Pure: the caller reads the name and the mtime.
 */

/** 9 or 10 digits of seconds (1973–2286) then a dot; a longer number (a nanosecond stamp) is not a time. */
const DELIVERY_TIME = /^(\d{9,10})\.(?:M(\d{1,6})P)?/;

export function maildirReceivedAt(fileName: string, mtimeMs: number): number {
  const m = DELIVERY_TIME.exec(fileName);
  if (!m) return mtimeMs;
  const micros = m[2] === undefined ? 0 : Number(m[2]);
  return Number(m[1]) * 1000 + Math.floor(micros / 1000);
}
