/**
 * Delivery outcomes written together. Each lane of a pass hands in its row's result and waits for it to be
 * stored; whatever comes in while a write is in flight goes into the next one, as one statement. An outcome
 * alone is written at once, so nothing waits for company; under load, one statement (and one commit) stores
 * many outcomes instead of one each, which is what let the database fall behind a busy desk's acknowledgments.
 * Each outcome is still stored before its lane sends another mail: a lost database is noticed as soon as before.
 */
export type Verdict = "sent" | "retry" | "failed";

interface Waiting<T> {
  item: T;
  resolve: (verdict: Verdict) => void;
  reject: (error: unknown) => void;
}

export class OutcomeBatch<T> {
  private waiting: Array<Waiting<T>> = [];
  private writing = false;

  /** `write` stores a group and returns the verdicts in its order; its failure is every member's failure. */
  constructor(private readonly write: (items: T[]) => Promise<Verdict[]>) {}

  /** Resolves once the item's outcome is stored. */
  record(item: T): Promise<Verdict> {
    return new Promise<Verdict>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0);
        try {
          const verdicts = await this.write(group.map((w) => w.item));
          group.forEach((w, i) => w.resolve(verdicts[i]!));
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
