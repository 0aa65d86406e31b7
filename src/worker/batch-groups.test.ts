import { describe, expect, it } from "vitest";
import { relatedGroups } from "./batch-groups.js";

const m = (name: string, from: string | null, messageId: string | null, refersTo: string[] = []) => ({ name, from, messageId, refersTo });

describe("grouping a batch for side-by-side processing", () => {
  it("keeps a sender's messages together and in order", () => {
    const groups = relatedGroups([m("a1", "a@x", "1"), m("b1", "b@x", "2"), m("a2", "a@x", "3")]);
    expect(groups.map((g) => g.map((x) => x.name))).toEqual([["a1", "a2"], ["b1"]]);
  });

  it("puts a reply from someone else with the message it answers, even through a chain", () => {
    const groups = relatedGroups([
      m("request", "dtc@x", "r1"),
      m("other", "z@y", "o1"),
      m("colleague reply", "colleague@x", "c1", ["r1"]),
      m("third reply", "third@x", "t1", ["c1"]),
    ]);
    expect(groups.map((g) => g.map((x) => x.name))).toEqual([["request", "colleague reply", "third reply"], ["other"]]);
  });

  it("keeps messages without a sender or id apart", () => {
    expect(relatedGroups([m("x", null, null), m("y", null, null)])).toHaveLength(2);
  });
});
