"use client";

import type { UseQueryResult } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCompact, formatNumber } from "@/app/_components/format";
import { ErrorState, Skeleton } from "@/app/_components/states";
import { Card, CardHeader } from "@/app/_components/ui";
import type { RouterOutputs } from "@/lib/trpc/client";

type ActiveUsers = RouterOutputs["dashboard"]["activeUsers"];

const dayLabel = (start: string) =>
  new Date(`${start}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** Active end users (at least one request) and new ones (first seen) per day or week of the range. */
export function ActiveUsersCard({ query }: { query: UseQueryResult<ActiveUsers, unknown> }) {
  const d = query.data;
  const per = d?.interval === "week" ? "week (from Monday)" : "day";
  return (
    <Card data-testid="active-users-card">
      <CardHeader
        title="Active and new end users"
        description={`Distinct end users with a request, and end users seen for the first time, per ${per}, UTC`}
      />
      {!d ? (
        query.isError ? (
          <ErrorState error={query.error} retry={() => query.refetch()} />
        ) : (
          <div className="px-5 py-4">
            <Skeleton className="h-52" />
          </div>
        )
      ) : (
        <div className="grid gap-4 px-5 py-4 lg:grid-cols-[12rem_1fr]">
          <dl className="grid grid-cols-2 gap-4 lg:grid-cols-1 lg:content-start">
            <div data-testid="active-users-total">
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Active in range</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{formatNumber(d.totals.active)}</dd>
            </div>
            <div data-testid="new-users-total">
              <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">New in range</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{formatNumber(d.totals.new)}</dd>
            </div>
          </dl>
          <div style={{ height: 208 }} data-testid="active-users-chart">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={d.data} margin={{ top: 5, right: 8, bottom: 0, left: 0 }} barGap={2}>
                <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" vertical={false} />
                <XAxis
                  dataKey="start"
                  tickFormatter={dayLabel}
                  tick={{ fontSize: 11, fill: "#64748b" }}
                  axisLine={false}
                  tickLine={false}
                  minTickGap={24}
                />
                <YAxis
                  width={40}
                  allowDecimals={false}
                  tick={{ fontSize: 11, fill: "#64748b" }}
                  axisLine={false}
                  tickLine={false}
                  tickFormatter={(v: number) => formatCompact(v)}
                />
                <Tooltip
                  cursor={{ fill: "#f1f5f9" }}
                  content={({ active, payload }) => {
                    const p = active && payload?.[0] ? (payload[0].payload as ActiveUsers["data"][number]) : null;
                    if (!p) return null;
                    return (
                      <div className="rounded-lg border border-slate-200 bg-white px-3 py-2 text-xs shadow-lg">
                        <p className="mb-1 font-medium text-slate-900">
                          {d.interval === "week" ? "Week of " : ""}
                          {dayLabel(p.start)} UTC
                        </p>
                        <p className="text-slate-600">
                          Active <span className="float-right ml-4 font-medium tabular-nums text-slate-900">{formatNumber(p.active)}</span>
                        </p>
                        <p className="text-slate-600">
                          New <span className="float-right ml-4 font-medium tabular-nums text-slate-900">{formatNumber(p.new)}</span>
                        </p>
                      </div>
                    );
                  }}
                />
                <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
                <Bar dataKey="active" name="Active" fill="#0891b2" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                <Bar dataKey="new" name="New" fill="#a5b4fc" radius={[3, 3, 0, 0]} isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
      )}
    </Card>
  );
}
