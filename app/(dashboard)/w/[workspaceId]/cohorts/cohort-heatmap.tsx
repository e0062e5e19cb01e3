"use client";

import { formatCompact, formatNumber, formatPercent, formatUsdShort } from "@/app/_components/format";
import { Table, TBody, Td, Th } from "@/app/_components/table";

export type Period = "week" | "month";
export type Metric = "active_users" | "requests" | "cost_usd";
type Cohort = { start: string; size: number; values: number[] };

const startLabel = {
  week: new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" }),
  month: new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" }),
};

/**
 * One row per cohort, one cell per period since it was first seen. A cell's shade is its share of
 * the cohort (active users) or of the row's largest value (requests, cost): rows of very
 * different sizes stay comparable.
 */
export function CohortHeatmap({ cohorts, period, metric }: { cohorts: Cohort[]; period: Period; metric: Metric }) {
  const columns = Math.max(0, ...cohorts.map((c) => c.values.length));
  const short = period === "week" ? "W" : "M";
  return (
    <Table>
      <thead>
        <tr>
          <Th>Cohort</Th>
          <Th align="right">End users</Th>
          {Array.from({ length: columns }, (_, k) => (
            <Th key={k} align="right" title={`${k} ${period}s after first seen`}>
              {short}
              {k}
            </Th>
          ))}
        </tr>
      </thead>
      <TBody>
        {cohorts.map((c) => {
          const scale = metric === "active_users" ? c.size : Math.max(0, ...c.values);
          return (
            <tr key={c.start} data-testid={`cohort-${c.start}`}>
              <Td className="font-medium text-slate-900">{startLabel[period].format(new Date(`${c.start}T00:00:00Z`))}</Td>
              <Td align="right" data-testid="cohort-size">
                {formatNumber(c.size)}
              </Td>
              {Array.from({ length: columns }, (_, k) =>
                k < c.values.length ? (
                  <HeatCell key={k} value={c.values[k]!} scale={scale} size={c.size} metric={metric} />
                ) : (
                  <td key={k} className="bg-slate-50/60" aria-hidden />
                ),
              )}
            </tr>
          );
        })}
      </TBody>
    </Table>
  );
}

function HeatCell({ value, scale, size, metric }: { value: number; scale: number; size: number; metric: Metric }) {
  const share = scale > 0 ? Math.min(1, value / scale) : 0;
  const text =
    metric === "active_users"
      ? size > 0
        ? formatPercent(value, size)
        : "—"
      : metric === "requests"
        ? formatCompact(value)
        : formatUsdShort(value);
  const title =
    metric === "active_users"
      ? `${formatNumber(value)} of ${formatNumber(size)} end users active`
      : metric === "requests"
        ? `${formatNumber(value)} requests`
        : `$${value}`;
  return (
    <td
      title={title}
      className="px-3 py-2 text-right text-xs tabular-nums whitespace-nowrap"
      style={{
        backgroundColor: value > 0 ? `rgba(79, 70, 229, ${(0.08 + 0.82 * share).toFixed(3)})` : undefined,
        color: share > 0.55 ? "white" : undefined,
      }}
    >
      {text}
    </td>
  );
}
