"use client";

import { useMemo, useState } from "react";
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCompact, formatNumber, formatUsd, formatUsdShort } from "./format";
import { cx } from "./ui";

export interface SeriesPoint {
  t: string;
  requests: number;
  totalTokens: number;
  costUsd: number;
  costNanos: string;
  unpricedRequests: number;
}

const METRICS = {
  cost: { label: "Cost", color: "#4f46e5" },
  requests: { label: "Requests", color: "#0891b2" },
  tokens: { label: "Tokens", color: "#7c3aed" },
} as const;
type Metric = keyof typeof METRICS;

const STEP = { hour: 3_600_000, day: 86_400_000 } as const;

/** Every bucket of the range, zero where nothing was recorded: gaps show as zero, not as a line across. */
export function fillSeries(series: SeriesPoint[], from: Date, to: Date, interval: "hour" | "day"): SeriesPoint[] {
  const byTime = new Map(series.map((p) => [new Date(p.t).getTime(), p]));
  const out: SeriesPoint[] = [];
  const step = STEP[interval];
  for (let t = Math.floor(from.getTime() / step) * step; t < to.getTime(); t += step) {
    out.push(
      byTime.get(t) ?? { t: new Date(t).toISOString(), requests: 0, totalTokens: 0, costUsd: 0, costNanos: "0", unpricedRequests: 0 },
    );
  }
  return out;
}

function tickLabel(iso: string, interval: "hour" | "day") {
  const d = new Date(iso);
  return interval === "hour"
    ? d.toLocaleTimeString("en-US", { hour: "numeric", timeZone: "UTC" })
    : d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** Requests, tokens and cost over time (UTC buckets), one metric at a time. */
export function UsageChart({
  series,
  from,
  to,
  interval,
  height = 260,
}: {
  series: SeriesPoint[];
  from: Date;
  to: Date;
  interval: "hour" | "day";
  height?: number;
}) {
  const [metric, setMetric] = useState<Metric>("cost");
  const data = useMemo(() => fillSeries(series, from, to, interval), [series, from, to, interval]);
  const key = metric === "cost" ? "costUsd" : metric === "requests" ? "requests" : "totalTokens";
  const { color } = METRICS[metric];
  return (
    <div>
      <div className="mb-3 flex gap-1" role="tablist" aria-label="Chart metric">
        {(Object.keys(METRICS) as Metric[]).map((m) => (
          <button
            key={m}
            role="tab"
            aria-selected={metric === m}
            type="button"
            onClick={() => setMetric(m)}
            className={cx(
              "rounded-md px-2.5 py-1 text-xs font-medium",
              metric === m ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100",
            )}
          >
            {METRICS[m].label}
          </button>
        ))}
      </div>
      <div style={{ height }} data-testid="usage-chart">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 5, right: 8, bottom: 0, left: 0 }}>
            <defs>
              <linearGradient id={`fill-${metric}`} x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor={color} stopOpacity={0.25} />
                <stop offset="100%" stopColor={color} stopOpacity={0.02} />
              </linearGradient>
            </defs>
            <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="t"
              tickFormatter={(v) => tickLabel(v, interval)}
              tick={{ fontSize: 11, fill: "#64748b" }}
              axisLine={false}
              tickLine={false}
              minTickGap={24}
            />
            <YAxis
              width={56}
              tick={{ fontSize: 11, fill: "#64748b" }}
              axisLine={false}
              tickLine={false}
              tickFormatter={(v: number) => (metric === "cost" ? formatUsdShort(v) : formatCompact(v))}
            />
            <Tooltip
              cursor={{ stroke: "#94a3b8", strokeDasharray: "3 3" }}
              content={({ active, payload }) => {
                const p = active && payload?.[0] ? (payload[0].payload as SeriesPoint) : null;
                if (!p) return null;
                return (
                  <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-xs shadow-lg">
                    <p className="mb-1 font-medium text-slate-900">
                      {new Date(p.t).toLocaleString("en-US", {
                        timeZone: "UTC",
                        month: "short",
                        day: "numeric",
                        ...(interval === "hour" ? { hour: "numeric" } : {}),
                      })}{" "}
                      UTC
                    </p>
                    <p className="text-slate-600">
                      Cost <span className="float-right ml-4 font-medium tabular-nums text-slate-900">{formatUsd(p.costNanos)}</span>
                    </p>
                    <p className="text-slate-600">
                      Requests <span className="float-right ml-4 font-medium tabular-nums text-slate-900">{formatNumber(p.requests)}</span>
                    </p>
                    <p className="text-slate-600">
                      Tokens <span className="float-right ml-4 font-medium tabular-nums text-slate-900">{formatNumber(p.totalTokens)}</span>
                    </p>
                    {p.unpricedRequests > 0 && <p className="mt-1 text-amber-700">{formatNumber(p.unpricedRequests)} unpriced</p>}
                  </div>
                );
              }}
            />
            <Area type="monotone" dataKey={key} stroke={color} strokeWidth={2} fill={`url(#fill-${metric})`} isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
