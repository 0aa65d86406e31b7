/**
 * Which messages of one fetched batch may be processed side by side. Messages from the same sender, or
 * naming each other in In-Reply-To/References, stay in one group in their original order, so a reply is
 * never applied before the request it answers; different groups are independent. Pure.
 */
export interface GroupableMessage {
  from: string | null;
  messageId: string | null;
  refersTo: string[];
}

export function relatedGroups<T extends GroupableMessage>(items: T[]): T[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const bySender = new Map<string, number>();
  const byId = new Map<string, number>();
  items.forEach((m, i) => {
    if (m.from) {
      const seen = bySender.get(m.from);
      if (seen === undefined) bySender.set(m.from, i);
      else union(seen, i);
    }
    if (m.messageId) byId.set(m.messageId, i);
  });
  items.forEach((m, i) => {
    for (const ref of m.refersTo) {
      const j = byId.get(ref);
      if (j !== undefined) union(i, j);
    }
  });
  const groups = new Map<number, T[]>();
  items.forEach((m, i) => {
    const root = find(i);
    const list = groups.get(root) ?? [];
    list.push(m);
    groups.set(root, list);
  });
  return [...groups.values()];
}

/**
 * The grouping facts of a raw message from its header block alone (From address, Message-ID,
 * In-Reply-To, References), so a batch can be grouped before any message is fully parsed.
 */
export function groupingFacts(raw: Buffer): GroupableMessage {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw
    .subarray(0, end < 0 ? Math.min(raw.length, 64 * 1024) : end)
    .toString("latin1")
    .replace(/\r?\n[ \t]+/g, " ");
  const header = (name: string) => new RegExp(`^${name}:(.*)$`, "im").exec(head)?.[1]?.trim() ?? "";
  const ids = (value: string) => [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  const from = header("From");
  const address = (/<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? /[^\s<>"]+@[^\s<>"]+/.exec(from)?.[0] ?? "").toLowerCase();
  return {
    from: address || null,
    messageId: ids(header("Message-ID"))[0] ?? null,
    refersTo: [...ids(header("In-Reply-To")), ...ids(header("References"))],
  };
}
