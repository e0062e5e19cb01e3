import { describe, expect, it } from "vitest";
import { newId } from "@/server/lib/ids";

describe("newId", () => {
  it("is the prefix, 10 time characters and 16 random ones, in Crockford base32", () => {
    expect(newId("chk", Date.UTC(2026, 11, 4))).toMatch(/^chk_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it("sorts by time, and never repeats across many refills of the random pool", () => {
    const t = Date.UTC(2026, 11, 4, 12);
    const ids = Array.from({ length: 5_000 }, (_, i) => newId("evt", t + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    const byTime = ids.map((id) => id.slice(4, 14));
    expect([...byTime].sort()).toEqual(byTime);
    // Random parts spread over the alphabet (a stuck pool would repeat one value).
    expect(new Set(ids.map((id) => id.slice(14))).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[14])).size).toBeGreaterThan(20);
  });
});
