"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Card, CardHeader, PageHeader, Select } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { SegmentSelect } from "@/app/_components/segment-select";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import { CohortHeatmap, type Metric, type Period } from "./cohort-heatmap";

const PERIODS = { week: "Weekly", month: "Monthly" } as const;
const METRICS = { active_users: "Active users (retention)", requests: "Requests", cost_usd: "Cost" } as const;
const COUNTS = { week: [8, 12, 26, 52], month: [6, 12, 24] } as const;

/** Retention and spend by the week or month end users were first seen, for everyone or one segment. */
export function CohortsView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const { get, set } = useUrlState();
  const period: Period = get("period") === "month" ? "month" : "week";
  const metric: Metric = (get("metric") as Metric) in METRICS ? (get("metric") as Metric) : "active_users";
  const counts: readonly number[] = COUNTS[period];
  const periods = counts.includes(Number(get("n"))) ? Number(get("n")) : 12;
  const segment = get("segment");
  const table = useQuery({
    ...trpc.cohorts.table.queryOptions({ workspaceId: ws.id, period, metric, periods, segment }),
    placeholderData: keepPreviousData,
  });
  const unit = period === "week" ? "week" : "month";
  const select = "w-auto py-1.5 text-xs";

  return (
    <>
      <PageHeader
        title="Cohorts"
        description="End users grouped by the UTC week (from Monday) or month they were first seen, and what each group did in every period since."
      />
      <Card>
        <CardHeader
          title={`${METRICS[metric]} by ${unit} first seen`}
          description={
            metric === "active_users"
              ? "Share of each cohort with at least one request in the period"
              : `${metric === "requests" ? "Requests" : "Cost"} of each cohort's end users in the period; shaded against the row's busiest period`
          }
          actions={
            <>
              {table.isFetching && !table.isPending && <span className="text-xs text-slate-400">Updating…</span>}
              <SegmentSelect value={segment} onChange={(id) => set({ segment: id })} className={select} />
              <Select
                aria-label="Metric"
                value={metric}
                onChange={(e) => set({ metric: e.target.value === "active_users" ? null : e.target.value })}
                className={select}
              >
                {Object.entries(METRICS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </Select>
              <Select
                aria-label="Period"
                value={period}
                onChange={(e) => set({ period: e.target.value === "week" ? null : e.target.value, n: null })}
                className={select}
              >
                {Object.entries(PERIODS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </Select>
              <Select
                aria-label="Cohorts"
                value={periods}
                onChange={(e) => set({ n: Number(e.target.value) === 12 ? null : e.target.value })}
                className={select}
              >
                {counts.map((n) => (
                  <option key={n} value={n}>
                    Last {n} {unit}s
                  </option>
                ))}
              </Select>
            </>
          }
        />
        <QueryView
          query={table}
          loading={<LoadingRows rows={8} label="Loading cohorts…" />}
          isEmpty={(d) => d.cohorts.every((c) => c.size === 0)}
          empty={
            <EmptyState
              title={segment ? "No members of this segment were first seen in these periods" : "No new end users in these periods"}
              description={
                segment ? "Choose another segment or a longer range." : "Cohorts appear after your backend records LLM calls with a userId."
              }
            />
          }
        >
          {(data) => <CohortHeatmap cohorts={data.cohorts} period={period} metric={metric} />}
        </QueryView>
      </Card>
    </>
  );
}
