import { describe, expect, it } from "vitest";
import { calendarReset, rollingFreeAt, windowStart, windowStartMs } from "@/server/services/core/windows";

const at = (s: string) => new Date(s);

describe("window arithmetic (UTC)", () => {
  it("rolling windows count whole minute buckets, exact to the minute", () => {
    expect(windowStart("minute", at("2026-11-26T10:00:30Z"))).toEqual(at("2026-11-26T10:00:00Z"));
    expect(windowStart("hour", at("2026-11-26T10:00:30Z"))).toEqual(at("2026-11-26T09:01:00Z"));
    expect(windowStart("day", at("2026-11-26T10:00:30Z"))).toEqual(at("2026-11-25T10:01:00Z"));
  });

  it("calendar windows start and reset at 00:00 UTC", () => {
    expect(windowStart("calendar_day", at("2026-11-26T23:59:59Z"))).toEqual(at("2026-11-26T00:00:00Z"));
    expect(calendarReset("calendar_day", at("2026-11-26T23:59:59Z"))).toEqual(at("2026-11-27T00:00:00Z"));
    expect(windowStart("calendar_month", at("2026-12-31T23:59:59Z"))).toEqual(at("2026-12-01T00:00:00Z"));
    expect(calendarReset("calendar_month", at("2026-12-31T23:59:59Z"))).toEqual(at("2027-01-01T00:00:00Z"));
  });

  it("finds when a rolling window frees enough", () => {
    const buckets = [
      { bucket: at("2026-11-26T10:00:00Z"), amount: 3n },
      { bucket: at("2026-11-26T11:00:00Z"), amount: 2n },
    ];
    // 5 used of 5: one more needs the 10:00 bucket to age out at 10:00 the next day.
    expect(rollingFreeAt("day", buckets, 5n, 1n, 5n)).toEqual(at("2026-11-27T10:00:00Z"));
    // 5 used of 2: both must go.
    expect(rollingFreeAt("day", buckets, 5n, 1n, 2n)).toEqual(at("2026-11-27T11:00:00Z"));
    expect(rollingFreeAt("day", buckets, 7n, 1n, 2n)).toBeNull();
  });

  it("windowStartMs gives the same starts in epoch milliseconds, at minute, day, month and leap-day turns", () => {
    const ms = (w: Parameters<typeof windowStartMs>[0], iso: string) => new Date(windowStartMs(w, at(iso).getTime())).toISOString();
    expect(ms("minute", "2026-11-30T23:59:59.999Z")).toBe("2026-11-30T23:59:00.000Z");
    expect(ms("calendar_day", "2026-11-30T23:59:59.999Z")).toBe("2026-11-30T00:00:00.000Z");
    expect(ms("calendar_month", "2026-11-30T23:59:59.999Z")).toBe("2026-11-01T00:00:00.000Z");
    expect(ms("calendar_month", "2026-12-01T00:00:00Z")).toBe("2026-12-01T00:00:00.000Z");
    expect(ms("hour", "2028-02-29T12:34:56.789Z")).toBe("2028-02-29T11:35:00.000Z");
    expect(ms("day", "2028-02-29T12:34:56.789Z")).toBe("2028-02-28T12:35:00.000Z");
    expect(ms("calendar_month", "2028-02-29T12:34:56.789Z")).toBe("2028-02-01T00:00:00.000Z");
  });
});
