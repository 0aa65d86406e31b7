import { describe, expect, it } from "vitest";
import { byCase } from "./deliver.js";
import type { OutboxRow } from "./queue.js";

const row = (id: number, caseId: number | null) => ({ id, caseId }) as OutboxRow;

describe("byCase", () => {
  it("keeps a case's rows together in claim order, groups in order of their first row, caseless rows alone", () => {
    const rows = [row(1, 7), row(2, null), row(3, 8), row(4, 7), row(5, null), row(6, 8), row(7, 7)];
    expect(byCase(rows).map((g) => g.map((r) => r.id))).toEqual([[1, 4, 7], [2], [3, 6], [5]]);
  });
});
