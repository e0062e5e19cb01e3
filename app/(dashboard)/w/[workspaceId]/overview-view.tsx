"use client";

import { keepPreviousData, type UseQueryResult, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { BarList } from "@/app/_components/bar-list";
import { type DateRange, DateRangePicker } from "@/app/_components/date-range";
import { LiveIndicator } from "@/app/_components/live-indicator";
import { formatCompact, formatNumber, formatUsd, formatUsdExact } from "@/app/_components/format";
import { EmptyState, ErrorState, Skeleton } from "@/app/_components/states";
import { Badge, ButtonLink, Card, CardHeader, labelColor, PageHeader, Stat } from "@/app/_components/ui";
import { type Live, lastUpdated, useLive, useLiveDateRange } from "@/app/_components/use-live";
import { UsageChart } from "@/app/_components/usage-chart";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";
import { ActiveUsersCard } from "./active-users-card";
import { setPriceHref, UnpricedModels } from "./unpriced-models";

export function OverviewView() {
  const ws = useWorkspace();
  const live = useLive();
  const range = useLiveDateRange(live);
  const trpc = useTRPC();
  const overview = useQuery({
    ...trpc.dashboard.overview.queryOptions({ workspaceId: ws.id, from: range.from, to: range.to, interval: range.interval }),
    ...live.options,
    placeholderData: keepPreviousData,
  });
  const active = useQuery({
    ...trpc.dashboard.activeUsers.queryOptions({ workspaceId: ws.id, from: range.from, to: range.to }),
    ...live.options,
    placeholderData: keepPreviousData,
  });
  const exportHref = `/api/export/usage?workspaceId=${ws.id}&from=${range.from.toISOString()}&to=${range.to.toISOString()}&interval=${range.interval}`;
  return (
    <>
      <PageHeader
        title="Overview"
        description={`${ws.name} · ${range.label} (UTC)`}
        actions={
          <>
            <LiveIndicator live={live} updatedAt={lastUpdated(overview, active)} />
            <DateRangePicker />
            <ButtonLink href={exportHref} variant="secondary" prefetch={false}>
              Export CSV
            </ButtonLink>
          </>
        }
      />
      {/* A live refetch that fails keeps the numbers shown; the next one may succeed. */}
      {!overview.data ? (
        overview.isError ? (
          <Card>
            <ErrorState error={overview.error} retry={() => overview.refetch()} />
          </Card>
        ) : (
          <OverviewSkeleton />
        )
      ) : overview.data.totals.requests === 0 && overview.data.labels.length === 0 ? (
        <Card>
          <EmptyState
            title="No traffic in this range"
            description={
              <>
                Send your first events with an API key: <code className="rounded bg-slate-100 px-1">POST /sdk/record</code> after each LLM
                call. They show up here within seconds.
              </>
            }
            action={<ButtonLink href={`${ws.base}/api-keys`}>Create an API key</ButtonLink>}
          />
        </Card>
      ) : (
        <OverviewBody data={overview.data} active={active} range={range} base={ws.base} live={live} />
      )}
    </>
  );
}

type Overview = RouterOutputs["dashboard"]["overview"];
type ActiveUsers = RouterOutputs["dashboard"]["activeUsers"];

function OverviewBody({
  data,
  active,
  range,
  base,
  live,
}: {
  data: Overview;
  active: UseQueryResult<ActiveUsers, unknown>;
  range: DateRange;
  base: string;
  live: Live;
}) {
  const t = data.totals;
  const buckets = Math.max(
    1,
    Math.round((range.to.getTime() - range.from.getTime()) / (range.interval === "hour" ? 3_600_000 : 86_400_000)),
  );
  return (
    <div className="space-y-6">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat
          label="Cost"
          value={formatUsd(t.costNanos)}
          title={formatUsdExact(t.costNanos)}
          sub={t.requests ? `${formatUsd((BigInt(t.costNanos) / BigInt(t.requests)).toString())} per request` : undefined}
        />
        <Stat
          label="Requests"
          value={formatNumber(t.requests)}
          sub={
            t.requests > 0 && t.requests < buckets
              ? `under 1 per ${range.interval} on average`
              : `${formatCompact(Math.round(t.requests / buckets))} per ${range.interval} on average`
          }
        />
        <Stat
          label="Tokens"
          value={formatCompact(t.totalTokens)}
          title={formatNumber(t.totalTokens)}
          sub={`${formatCompact(t.inputTokens)} in · ${formatCompact(t.outputTokens)} out · ${formatCompact(t.cachedInputTokens)} cached`}
        />
        <Stat
          label="Unpriced requests"
          value={
            t.unpricedRequests ? (
              <Link className="text-amber-600 hover:underline" href={setPriceHref(base)} data-testid="unpriced-requests">
                {formatNumber(t.unpricedRequests)}
              </Link>
            ) : (
              <span data-testid="unpriced-requests">{formatNumber(t.unpricedRequests)}</span>
            )
          }
          sub={t.unpricedRequests ? "Models without a known price: counted at $0. Set their prices." : "Every request was priced"}
        />
      </div>
      {t.unpricedRequests > 0 && <UnpricedModels from={range.from} to={range.to} live={live} />}
      <Card>
        <CardHeader title="Usage over time" description={`${range.interval === "hour" ? "Hourly" : "Daily"} buckets, UTC`} />
        <div className="px-5 py-4">
          <UsageChart series={data.series} from={range.from} to={range.to} interval={range.interval} />
        </div>
      </Card>
      <ActiveUsersCard query={active} />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card>
          <CardHeader
            title="Top end users"
            description="By cost"
            actions={
              <Link className="text-xs font-medium text-indigo-600 hover:underline" href={`${base}/users`}>
                All users
              </Link>
            }
          />
          <BarList items={data.topUsers} href={(k) => `${base}/users/${encodeURIComponent(k)}`} />
        </Card>
        <Card>
          <CardHeader
            title="Top features"
            description="By cost"
            actions={
              <Link className="text-xs font-medium text-indigo-600 hover:underline" href={`${base}/features?${range.query}`}>
                All features
              </Link>
            }
          />
          <BarList
            items={data.topFeatures}
            href={(k) => `${base}/logs?feature=${encodeURIComponent(k)}`}
            emptyText="No feature sent in this range"
          />
        </Card>
        <Card>
          <CardHeader title="Top models" description="By cost" />
          <BarList items={data.topModels} href={(k) => `${base}/logs?model=${encodeURIComponent(k)}`} />
        </Card>
      </div>
      <Card>
        <CardHeader title="Intent labels" description="Events labelled in this range" />
        {data.labels.length === 0 ? (
          <p className="px-5 py-6 text-sm text-slate-500">No labelled events in this range.</p>
        ) : (
          <ul className="grid gap-3 px-5 py-4 sm:grid-cols-2 lg:grid-cols-4">
            {data.labels.map((l) => (
              <li key={l.label}>
                <Link
                  href={`${base}/logs?label=${encodeURIComponent(l.label)}`}
                  className="flex items-center justify-between rounded-lg border border-slate-100 px-3 py-2.5 hover:border-indigo-200 hover:bg-indigo-50/40"
                >
                  <Badge color={labelColor(l.label)}>{l.label}</Badge>
                  <span className="text-sm tabular-nums text-slate-600">
                    <b className="font-semibold text-slate-900">{formatNumber(l.events)}</b> events · {formatNumber(l.endUsers)} users
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function OverviewSkeleton() {
  return (
    <div className="space-y-6" role="status" aria-label="Loading overview">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-[104px]" />
        ))}
      </div>
      <Skeleton className="h-80" />
      <div className="grid gap-6 lg:grid-cols-3">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-64" />
        ))}
      </div>
    </div>
  );
}
