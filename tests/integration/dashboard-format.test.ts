import { describe, expect, it } from "vitest";
import { formatUsd, formatUsdExact } from "@/app/_components/format";
import { fillSeries } from "@/app/_components/usage-chart";

describe("dashboard money formatting from exact nano-dollars", () => {
  it.each([
    ["0", "$0.00"],
    ["400", "<$0.000001"],
    ["183000", "$0.000183"],
    ["9999999", "$0.01"],
    ["13600000", "$0.0136"],
    ["500000000", "$0.50"],
    ["995000000", "$1.00"],
    ["1234567890123", "$1,234.57"],
    ["123456789012345678901", "$123,456,789,012.35"], // beyond 2^53: still exact
  ])("%s nanos → %s", (nanos, text) => {
    expect(formatUsd(nanos)).toBe(text);
  });

  it("exact amounts keep every nano-dollar", () => {
    expect(formatUsdExact("82089054781")).toBe("$82.089054781");
    expect(formatUsdExact("5000000000")).toBe("$5");
  });

  it("chart series get a zero point for every empty bucket", () => {
    const from = new Date("2026-01-01T00:00:00Z");
    const to = new Date("2026-01-04T00:00:00Z");
    const filled = fillSeries(
      [{ t: "2026-01-02T00:00:00.000Z", requests: 3, totalTokens: 9, costUsd: 1, costNanos: "1000000000", unpricedRequests: 0 }],
      from,
      to,
      "day",
    );
    expect(filled.map((p) => p.requests)).toEqual([0, 3, 0]);
  });
});
