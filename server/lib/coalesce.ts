/**
 * Coalesce concurrent calls into batches, the way a database group-commits: when nothing is in
 * flight a call runs at once, alone (no timer: a quiet process adds no latency); while a batch is
 * in flight, calls queue and the next batch takes them all (up to `maxBatch`). Each caller gets
 * its own result, or the batch's error.
 */
export function coalescer<I, O>(run: (items: I[]) => Promise<O[]>, options: { maxBatch?: number } = {}) {
  const maxBatch = options.maxBatch ?? 100;
  const queue: Array<{ item: I; resolve: (o: O) => void; reject: (err: unknown) => void }> = [];
  let running = false;
  let batches = 0;

  const drain = async () => {
    running = true;
    try {
      while (queue.length) {
        const batch = queue.splice(0, maxBatch);
        batches++;
        try {
          const out = await run(batch.map((b) => b.item));
          for (const [i, b] of batch.entries()) b.resolve(out[i]!);
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    submit(item: I): Promise<O> {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) void drain();
      });
    },
    /** Batches run so far (tests: fewer batches than calls means calls were coalesced). */
    batches: () => batches,
    /** Calls queued or in flight. */
    busy: () => running || queue.length > 0,
  };
}

export type Coalescer<I, O> = ReturnType<typeof coalescer<I, O>>;
