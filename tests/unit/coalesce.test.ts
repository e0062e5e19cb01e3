import { afterEach, describe, expect, it, vi } from "vitest";
import { coalescer } from "@/server/lib/coalesce";

/** A batch function whose batches finish when the test says so, recording what each held. */
function controlledRun() {
  const batches: number[][] = [];
  const pending: Array<() => void> = [];
  const run = (items: number[]) =>
    new Promise<number[]>((resolve) => {
      batches.push(items);
      pending.push(() => resolve(items.map((x) => x * 10)));
    });
  /** Finish the oldest batch in flight and let its callers and the next batch run. */
  const finishNext = async () => {
    pending.shift()!();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { run, batches, finishNext };
}

describe("coalescer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs a call at once when idle, and the calls that arrive meanwhile as the next batch", async () => {
    vi.useFakeTimers();
    const { run, batches, finishNext } = controlledRun();
    const c = coalescer(run);
    const first = c.submit(1);
    const rest = [c.submit(2), c.submit(3)];
    expect(batches).toEqual([[1]]);
    await finishNext();
    expect(await first).toBe(10);
    expect(batches).toEqual([[1], [2, 3]]);
    await finishNext();
    expect(await Promise.all(rest)).toEqual([20, 30]);
    expect(c.batches()).toBe(2);
    expect(c.busy()).toBe(false);
  });

  it("with a delay, lets a batch fill before it runs", async () => {
    vi.useFakeTimers();
    const { run, batches, finishNext } = controlledRun();
    const c = coalescer(run, { delayMs: 5 });
    const calls = [c.submit(1)];
    await vi.advanceTimersByTimeAsync(3);
    calls.push(c.submit(2));
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(batches).toEqual([[1, 2]]);
    await finishNext();
    expect(await Promise.all(calls)).toEqual([10, 20]);
  });

  it("flushNow sends what waits for the delay at once", async () => {
    vi.useFakeTimers();
    const { run, batches, finishNext } = controlledRun();
    const c = coalescer(run, { delayMs: 20 });
    const call = c.submit(1);
    c.flushNow();
    expect(batches).toEqual([[1]]);
    await finishNext();
    expect(await call).toBe(10);
  });

  it("flushNow while a batch is in flight sends the waiting calls right after it, not a delay later", async () => {
    vi.useFakeTimers();
    const { run, batches, finishNext } = controlledRun();
    const c = coalescer(run, { delayMs: 20 });
    c.submit(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(batches).toEqual([[1]]);
    const waiting = c.submit(2);
    c.flushNow();
    await finishNext();
    // No time has passed: the waiting call went out as soon as the batch in flight was done.
    expect(batches).toEqual([[1], [2]]);
    await finishNext();
    expect(await waiting).toBe(20);
    // The flush was for that moment: a later call waits for the delay again.
    c.submit(3);
    await vi.advanceTimersByTimeAsync(19);
    expect(batches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1], [2], [3]]);
  });

  it("a full batch does not wait for the delay, and a failed batch fails only its callers", async () => {
    vi.useFakeTimers();
    let fail = true;
    const seen: number[][] = [];
    const c = coalescer(
      async (items: number[]) => {
        seen.push(items);
        if (fail) throw new Error("batch failed");
        return items;
      },
      { delayMs: 50, maxBatch: 2 },
    );
    const failed = [c.submit(1), c.submit(2)].map((p) => p.catch((err: Error) => err.message));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([[1, 2]]);
    expect(await Promise.all(failed)).toEqual(["batch failed", "batch failed"]);
    fail = false;
    const ok = c.submit(3);
    await vi.advanceTimersByTimeAsync(50);
    expect(await ok).toBe(3);
  });
});
