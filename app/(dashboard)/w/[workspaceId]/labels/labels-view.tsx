"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { DateRangePicker, useDateRange } from "@/app/_components/date-range";
import { formatNumber } from "@/app/_components/format";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Badge, Card, CardHeader, labelColor, PageHeader } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

const COLORS: Record<string, string> = { red: "#ef4444", amber: "#f59e0b", green: "#10b981", slate: "#94a3b8", violet: "#8b5cf6" };

/** Intent labels over time: events per label per day, and the totals of the range. */
export function LabelsView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const range = useDateRange();
  const span = { workspaceId: ws.id, from: range.from, to: range.to };
  const perDay = useQuery(trpc.labels.perDay.queryOptions(span));
  const totals = useQuery(trpc.events.labelCounts.queryOptions(span));
  const { data, labels } = useMemo(() => {
    const rows = perDay.data ?? [];
    const names = [...new Set(rows.map((r) => r.label))].filter((l) => l !== "safe");
    const byDay = new Map<string, Record<string, number | string>>();
    for (let t = range.from.getTime(); t < range.to.getTime(); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      byDay.set(day, { day, ...Object.fromEntries(names.map((n) => [n, 0])) });
    }
    for (const r of rows) if (r.label !== "safe" && byDay.has(r.day)) byDay.get(r.day)![r.label] = r.events;
    return { data: [...byDay.values()], labels: names };
  }, [perDay.data, range.from, range.to]);
  return (
    <>
      <PageHeader
        title="Labels & policies"
        description="What your users' conversations are about, and what happens automatically when a label repeats."
        actions={<DateRangePicker />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader title="Labelled events per day" description={`${range.label}, UTC; "safe" is left out`} />
          <div className="px-5 py-4">
            <QueryView
              query={perDay}
              loading={<LoadingRows rows={6} />}
              isEmpty={() => labels.length === 0}
              empty={
                <EmptyState
                  title="No labelled events in this range"
                  description="Send the prompt text (input) with check or record: the labeller reads it."
                />
              }
            >
              {() => (
                <div style={{ height: 260 }}>
                  <ResponsiveContainer width="100%" height="100%">
                    <BarChart data={data} margin={{ top: 5, right: 8, bottom: 0, left: 0 }}>
                      <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" vertical={false} />
                      <XAxis
                        dataKey="day"
                        tickFormatter={(d: string) =>
                          new Date(`${d}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" })
                        }
                        tick={{ fontSize: 11, fill: "#64748b" }}
                        axisLine={false}
                        tickLine={false}
                        minTickGap={24}
                      />
                      <YAxis width={40} allowDecimals={false} tick={{ fontSize: 11, fill: "#64748b" }} axisLine={false} tickLine={false} />
                      <Tooltip cursor={{ fill: "#f1f5f9" }} contentStyle={{ borderRadius: 8, fontSize: 12 }} />
                      <Legend wrapperStyle={{ fontSize: 12 }} />
                      {labels.map((l) => (
                        <Bar key={l} dataKey={l} stackId="labels" fill={COLORS[labelColor(l)]} isAnimationActive={false} />
                      ))}
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              )}
            </QueryView>
          </div>
        </Card>
        <Card>
          <CardHeader title="In this range" />
          <QueryView
            query={totals}
            loading={<LoadingRows rows={4} />}
            isEmpty={(d) => d.length === 0}
            empty={<EmptyState title="No labels yet" />}
          >
            {(rows) => (
              <ul className="divide-y divide-slate-100">
                {rows.map((l) => (
                  <li key={l.label} className="flex items-center justify-between px-5 py-3 text-sm">
                    <Link href={`${ws.base}/logs?label=${encodeURIComponent(l.label)}&${range.query}`}>
                      <Badge color={labelColor(l.label)}>{l.label}</Badge>
                    </Link>
                    <span className="tabular-nums text-slate-600">
                      <b className="font-semibold text-slate-900">{formatNumber(l.events)}</b> events · {formatNumber(l.endUsers)} users
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
        </Card>
      </div>
    </>
  );
}
