/**
 * Items submitted while one flush is on the wire wait and go together in the next: a worker that
 * finishes several messages at once pays one round trip (one UID MOVE) for them. Each submit settles
 * when the flush that carried its item does.
 */
export class CoalescedBatches<T> {
  private pending: Array<{ item: T; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly flush: (items: T[]) => Promise<void>) {}

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.start();
    });
  }

  private start(): void {
    if (this.flushing) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
      // An item that arrived after the loop's last look but before this line must not be left waiting.
      if (this.pending.length > 0) this.start();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        await this.flush(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
  }
}
