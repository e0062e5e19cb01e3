import { afterEach, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { functions } from "@/inngest/functions";
import { resetEnvCache } from "@/server/env";
import { CRONS } from "@/server/events/crons";
import { EVENT_NAMES, type EventName } from "@/server/events/catalogue";
import { REACTION_LIST, REACTIONS } from "@/server/events/reactions";
import { startBackgroundWorker } from "@/server/events/worker";

type Trigger = { event?: string; cron?: string };
const triggers = (f: (typeof functions)[number]) => (f.opts.triggers ?? []) as Trigger[];

/** For each event, the ids of what reacts to it: in-process (the reaction list) and on Inngest. */
function coverage(events: readonly string[]) {
  return events.map((event) => ({
    event,
    inProcess: REACTION_LIST.filter((r) => r.on === event).map((r) => r.id),
    inngest: functions.filter((f) => triggers(f).some((t) => t.event === event)).map((f) => f.id()),
  }));
}

// W1: the in-process worker and Inngest once kept two lists, and quota.crossed ran in one only.
describe("one event catalogue: every event reacted to in both modes", () => {
  it("every catalogue event has at least one reaction, run in-process and as an Inngest function", () => {
    for (const c of coverage(EVENT_NAMES)) {
      expect(c.inProcess, c.event).not.toEqual([]);
      expect(c.inngest, c.event).toEqual(c.inProcess);
    }
    expect(EVENT_NAMES.every((e) => REACTIONS[e].length > 0)).toBe(true);
  });

  it("fails for an event nothing reacts to, in either mode", () => {
    const [orphan] = coverage(["tokenist/nothing.reacts"]);
    expect(orphan).toEqual({ event: "tokenist/nothing.reacts", inProcess: [], inngest: [] });
  });

  it("keeps today's function ids; every reaction listens to a catalogue event", () => {
    expect(REACTION_LIST.map((r) => `${r.on} → ${r.id}`)).toEqual([
      "tokenist/event.recorded → evaluate-alerts",
      "tokenist/event.recorded → label-event",
      "tokenist/limit.crossed → deliver-alert",
      "tokenist/quota.crossed → notify-owners",
      "tokenist/end_user.blocked → webhook-end-user-blocked",
      "tokenist/end_user.unblocked → webhook-end-user-unblocked",
      "tokenist/end_user.labelled → webhook-end-user-labelled",
      "tokenist/end_user.tier_changed → webhook-end-user-tier-changed",
      "tokenist/policy.fired → webhook-policy-fired",
    ]);
    for (const r of REACTION_LIST) expect(EVENT_NAMES).toContain(r.on as EventName);
    const eventTriggered = functions.filter((f) => triggers(f).some((t) => t.event));
    for (const f of eventTriggered) for (const t of triggers(f)) expect(EVENT_NAMES).toContain(t.event as EventName);
    expect(new Set(functions.map((f) => f.id())).size).toBe(functions.length);
  });

  it("every cron has an Inngest schedule and an in-process timer", () => {
    expect(CRONS.map((c) => c.id)).toEqual([
      "housekeeping",
      "segment-members",
      "blocklist-expiry",
      "retention-cleanup",
      "event-partitions",
      "report-usage",
    ]);
    for (const cron of CRONS) {
      const fn = functions.find((f) => f.id() === cron.id);
      expect(fn && triggers(fn), cron.id).toEqual([{ cron: cron.schedule }]);
      expect(cron.everyMs, cron.id).toBeGreaterThan(0);
    }
    const cronTriggered = functions.filter((f) => triggers(f).some((t) => t.cron)).map((f) => f.id());
    expect(cronTriggered).toEqual(CRONS.map((c) => c.id));
  });

  describe("the in-process worker", () => {
    afterEach(() => {
      globalThis.__tokenistWorker?.stop();
      globalThis.__tokenistWorker = undefined;
      delete process.env.STRIPE_SECRET_KEY;
      resetEnvCache();
      vi.useRealTimers();
      vi.restoreAllMocks();
    });
    // Timers only: fake ones never fire, so the worker never touches this stand-in database.
    const start = (forward?: () => Promise<void>) => {
      vi.useFakeTimers();
      const every = vi.spyOn(globalThis, "setInterval");
      startBackgroundWorker({} as Db, forward);
      return every.mock.calls.map((c) => c[1]);
    };

    it("runs every cron on a timer (billing on, so the Stripe report runs too)", () => {
      process.env.STRIPE_SECRET_KEY = "sk_test_catalogue";
      resetEnvCache();
      const intervals = start();
      for (const cron of CRONS) expect(intervals, cron.id).toContain(cron.everyMs);
    });

    it("leaves the crons to Inngest when it forwards the outbox there", () => {
      const intervals = start(async () => {});
      for (const cron of CRONS) expect(intervals, cron.id).not.toContain(cron.everyMs);
    });
  });
});
