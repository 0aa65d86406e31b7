import { describe, expect, it } from "vitest";
import { groupingFacts, relatedGroups } from "./groups.js";

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

describe("grouping facts from the header block", () => {
  it("reads the sender, the Message-ID and what the message answers, folded headers included", () => {
    const raw = Buffer.from(
      'From: "Doe, Jane" <Jane.Doe@Customer.Example>\r\nSubject: x\r\nMessage-ID: <a1@x>\r\nIn-Reply-To: <r0@y>\r\nReferences: <q@y>\r\n <r0@y>\r\n\r\nFrom: not@this.example\r\n',
    );
    expect(groupingFacts(raw)).toEqual({ from: "jane.doe@customer.example", messageId: "a1@x", refersTo: ["r0@y", "q@y", "r0@y"] });
  });
  it("copes with a bare address and no ids", () => {
    expect(groupingFacts(Buffer.from("From: ops@client.example\r\n\r\nbody"))).toEqual({ from: "ops@client.example", messageId: null, refersTo: [] });
  });
});
