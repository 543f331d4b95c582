// Group commit for "sent" marks: one UPDATE for every send that finished while the previous
// UPDATE ran. Each add() resolves only when its own id is committed, which is what bounds the
// mails a crash can repeat (see send-loop.ts).
export class MarkBuffer {
  private queued: { id: number; done: () => void; fail: (e: unknown) => void }[] = [];
  private running: Promise<void> | null = null;

  /**
   * `gather`: before each UPDATE, wait up to `ms` for `batch` marks to queue. Every UPDATE costs a
   * statement prepare and a commit whatever its size; a send loop whose lanes mostly wait on SMTP
   * connections loses nothing by letting a few finish together.
   */
  constructor(
    private readonly commit: (ids: number[]) => Promise<unknown>,
    private readonly gather: { ms: number; batch: number } = { ms: 0, batch: 1 },
  ) {}

  add(id: number): Promise<void> {
    return new Promise((done, fail) => {
      this.queued.push({ id, done, fail });
      this.running ??= this.drain();
    });
  }

  /** Waits until everything added so far is committed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      if (this.gather.ms > 0 && this.queued.length < this.gather.batch) await new Promise((r) => setTimeout(r, this.gather.ms));
      const batch = this.queued;
      this.queued = [];
      try {
        await this.commit(batch.map((b) => b.id));
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.fail(err);
      }
    }
    this.running = null;
  }
}
