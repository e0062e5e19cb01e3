import { processGlobal } from "@/server/lib/process-global";
import { RateLimitedError } from "../errors";

/** Test messages a workspace may send per window, in this process: a button, not a mail relay. */
export const TEST_MESSAGE_LIMIT = { count: 5, windowMs: 10 * 60_000 };
const MAX_WORKSPACES = 10_000;

// Workspace → send times within the window, oldest first. Map order is insertion order, so
// when full the least recently active workspace is dropped (not the whole map: that would
// reset everyone's limit).
const sent = processGlobal("testMessageTimes", () => new Map<string, number[]>());

/** Count one test message for the workspace, or throw 429 when its window is full. */
export function takeTestMessage(workspaceId: string, now = Date.now()) {
  const { count, windowMs } = TEST_MESSAGE_LIMIT;
  const times = (sent.get(workspaceId) ?? []).filter((t) => now - t < windowMs);
  if (times.length >= count) {
    const retryAfter = Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000));
    throw new RateLimitedError(`At most ${count} test messages per ${windowMs / 60_000} minutes; try again in ${retryAfter} s`, retryAfter);
  }
  sent.delete(workspaceId);
  sent.set(workspaceId, [...times, now]);
  if (sent.size > MAX_WORKSPACES) sent.delete(sent.keys().next().value!);
}

/** Tests start from an empty window. */
export function resetTestMessageLimit() {
  sent.clear();
}
