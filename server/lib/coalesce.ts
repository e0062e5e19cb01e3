/**
 * Coalesce concurrent calls into batches, the way a database group-commits: when nothing is in
 * flight a call runs at once, alone (no timer: a quiet process adds no latency); while a batch is
 * in flight, calls queue and the next batch takes them all (up to `maxBatch`). Each caller gets
 * its own result, or the batch's error.
 *
 * `delayMs` is for work no caller waits on (a write behind) where small batches cost: work that
 * runs on this thread (the embedded PGlite executes statements in WebAssembly here: nothing arrives
 * while such a statement runs), or calls that come one at a time. A batch then waits up to `delayMs`
 * to fill, unless `flushNow()` asks for it at once.
 */
export function coalescer<I, O>(run: (items: I[]) => Promise<O[]>, options: { maxBatch?: number; delayMs?: number } = {}) {
  const maxBatch = options.maxBatch ?? 100;
  const delayMs = options.delayMs ?? 0;
  const queue: Array<{ item: I; resolve: (o: O) => void; reject: (err: unknown) => void }> = [];
  let running = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** `flushNow()` came while a batch ran: what waits goes out after it, without the delay. */
  let flushing = false;
  let batches = 0;

  const runBatch = async () => {
    const batch = queue.splice(0, maxBatch);
    batches++;
    try {
      const out = await run(batch.map((b) => b.item));
      for (const [i, b] of batch.entries()) b.resolve(out[i]!);
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  };

  const drain = async () => {
    timer = null;
    if (running) return;
    running = true;
    try {
      await runBatch();
      while (queue.length && (delayMs === 0 || flushing || queue.length >= maxBatch)) await runBatch();
    } finally {
      running = false;
      flushing = false;
      if (queue.length) schedule();
    }
  };

  const schedule = () => {
    if (running) return;
    // A full batch does not wait for the delay, even one that has started.
    if (delayMs === 0 || queue.length >= maxBatch) {
      if (timer) clearTimeout(timer);
      void drain();
      return;
    }
    if (timer) return;
    timer = setTimeout(() => void drain(), delayMs);
    timer.unref?.();
  };

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      });
    },
    /** Send what is waiting now (someone needs it written): at once, or right after the batch in flight. */
    flushNow() {
      if (timer) {
        clearTimeout(timer);
        void drain();
      } else if (running) flushing = true;
    },
    /** Batches run so far (tests: fewer batches than calls means calls were coalesced). */
    batches: () => batches,
    /** Calls queued or in flight. */
    busy: () => running || queue.length > 0,
  };
}

export type Coalescer<I, O> = ReturnType<typeof coalescer<I, O>>;
