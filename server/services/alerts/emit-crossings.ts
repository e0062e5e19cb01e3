import type { Queryable } from "@/db/client";
import { log } from "@/server/lib/log";
import { processGlobal } from "@/server/lib/process-global";
import { fireOnce, firingPeriod, type Crossing } from "./fire-once";

// Crossings this process already fired: skip the write on every later check in the period.
const fired = processGlobal("firedCrossings", () => new Set<string>());

/** Fire each crossing once per period; never fails the caller (an alert is not worth a failed check). */
export async function emitCrossings(db: Queryable, crossings: Crossing[]) {
  for (const c of crossings) {
    const key = `${c.workspaceId}|${c.sourceId}|${c.subject.dimension}:${c.subject.key}|${c.threshold}|${firingPeriod(c.window, c.at)}`;
    if (fired.has(key)) continue;
    try {
      await fireOnce(db, c);
      if (fired.size > 100_000) fired.clear();
      fired.add(key);
    } catch (err) {
      log.warn("could not record an alert crossing", { err, sourceId: c.sourceId });
    }
  }
}
