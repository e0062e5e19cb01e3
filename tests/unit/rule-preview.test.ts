import { describe, expect, it } from "vitest";
import { type MinuteCalls, replayRule, summarise } from "@/server/services/guardrails/rule-preview";

const t = (s: string) => new Date(s).getTime();
const calls = (subject: string, at: string, n: number, tokens = 0n, costNanos = 0n, applies = true): MinuteCalls => ({
  subject,
  minute: t(at),
  calls: n,
  tokens,
  costNanos,
  applies,
});
const FROM = t("2026-11-01T00:00:00Z");

describe("7-day replay of a rule (enforce semantics, pure)", () => {
  it("a rolling hour of requests: denied calls do not count, a bucket frees exactly an hour after its minute", () => {
    const rows = [
      calls("a", "2026-11-02T10:10:00Z", 2),
      calls("a", "2026-11-02T10:40:00Z", 2), // used 2 of 3: 1 allowed, 1 denied
      calls("a", "2026-11-02T11:10:00Z", 3), // 10:10 aged out, 1 used: 2 allowed, 1 denied
      calls("b", "2026-11-02T10:40:00Z", 5), // 3 allowed, 2 denied
    ];
    const out = replayRule({ metric: "requests", window: "hour", limitValue: 3n }, rows, FROM);
    expect(summarise(out, 20)).toMatchObject({
      checks: 12,
      wouldDeny: 4,
      endUsers: 2,
      top: [
        { userId: "a", wouldDeny: 2 },
        { userId: "b", wouldDeny: 2 },
      ],
    });
  });

  it("calendar days reset at 00:00 UTC; the minute before `from` only warms the window up", () => {
    const rows = [
      calls("a", "2026-10-31T23:59:00Z", 4), // before from: fills the day, not counted
      calls("a", "2026-11-01T00:00:00Z", 5), // new day: 4 allowed, 1 denied
      calls("a", "2026-11-01T12:00:00Z", 1), // denied
    ];
    const out = replayRule({ metric: "requests", window: "calendar_day", limitValue: 4n }, rows, FROM);
    expect(out).toEqual([{ subject: "a", checks: 6, wouldDeny: 2, wouldDenyCostNanos: 0n }]);
    const warm = replayRule({ metric: "requests", window: "hour", limitValue: 4n }, rows, FROM);
    // Rolling: the 23:59 calls still count at 00:00, so all 5 are denied there; at 12:00 the window is empty.
    expect(warm).toEqual([{ subject: "a", checks: 6, wouldDeny: 5, wouldDenyCostNanos: 0n }]);
  });

  it("cost: each call of a minute needs the minute's average; a call is allowed while used + need ≤ limit", () => {
    const rows = [
      calls("", "2026-11-02T10:00:00Z", 4, 400n, 4_000n), // need 1000 each, limit 2500: 2 allowed
      calls("", "2026-11-02T11:00:00Z", 1, 100n, 400n), // used 2000 + 400 ≤ 2500: allowed
      calls("", "2026-11-02T12:00:00Z", 1, 100n, 200n), // 2400 + 200 > 2500: denied
    ];
    const out = replayRule({ metric: "cost_usd", window: "day", limitValue: 2_500n }, rows, FROM);
    expect(out).toEqual([{ subject: "", checks: 6, wouldDeny: 3, wouldDenyCostNanos: 2_200n }]);
    // Tokens the same way: need 100 each, limit 250: 2 allowed at 10:00, then 200 + 100 > 250.
    const tokens = replayRule({ metric: "tokens", window: "day", limitValue: 250n }, rows, FROM);
    expect(tokens[0]).toMatchObject({ checks: 6, wouldDeny: 4 });
  });

  it("calls the rule counts but does not limit (non-members on a pooled counter) fill it and are never denied", () => {
    const rows = [calls("", "2026-11-02T10:00:00Z", 3, 0n, 0n, false), calls("", "2026-11-02T10:00:00Z", 2, 0n, 0n, true)];
    const out = replayRule({ metric: "requests", window: "hour", limitValue: 4n }, rows, FROM);
    expect(out).toEqual([{ subject: "", checks: 2, wouldDeny: 1, wouldDenyCostNanos: 0n }]);
  });

  it("top is sorted by would-deny, then subject, and cut to the limit", () => {
    const rows = ["c", "a", "b"].map((s, i) => calls(s, "2026-11-02T10:00:00Z", 2 + i));
    const top = summarise(replayRule({ metric: "requests", window: "minute", limitValue: 1n }, rows, FROM), 2).top;
    expect(top.map((r) => [r.userId, r.wouldDeny])).toEqual([
      ["b", 3],
      ["a", 2],
    ]);
  });
});
