"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { DateRangePicker } from "@/app/_components/date-range";
import { EventDetail } from "@/app/_components/event-detail";
import { EventsTable } from "@/app/_components/events-table";
import { LiveIndicator } from "@/app/_components/live-indicator";
import { formatCompact, formatDate, formatNumber, formatRelative, formatUsd, formatUsdExact } from "@/app/_components/format";
import { EmptyState, ErrorState, LoadingRows, QueryView, Skeleton } from "@/app/_components/states";
import { Badge, ButtonLink, Card, CardHeader, labelColor, PageHeader, Stat } from "@/app/_components/ui";
import { lastUpdated, useLive, useLiveDateRange } from "@/app/_components/use-live";
import { UsageChart } from "@/app/_components/usage-chart";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import { BlockCard } from "./block-card";
import { TierCard } from "./tier-card";

export function EndUserView({ userId }: { userId: string }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const live = useLive();
  const range = useLiveDateRange(live);
  const [openEvent, setOpenEvent] = useState<string | null>(null);
  const user = useQuery({ ...trpc.endUsers.get.queryOptions({ workspaceId: ws.id, userId }), ...live.options });
  const usage = useQuery({
    ...trpc.usage.query.queryOptions({
      workspaceId: ws.id,
      dimension: "user",
      key: userId,
      from: range.from,
      to: range.to,
      interval: range.interval,
    }),
    ...live.options,
    placeholderData: keepPreviousData,
  });
  const events = useQuery({ ...trpc.events.list.queryOptions({ workspaceId: ws.id, userId, limit: 20 }), ...live.options });

  // A live refetch that fails keeps what is shown; only a first load that fails replaces the page.
  if (user.isError && !user.data) {
    return (
      <Card>
        {(user.error as { data?: { code?: string } }).data?.code === "NOT_FOUND" ? (
          <EmptyState
            title={`No end user "${userId}"`}
            description="It has never sent traffic to this workspace, and it is not blocked."
            action={
              <ButtonLink href={`${ws.base}/users`} variant="secondary">
                All end users
              </ButtonLink>
            }
          />
        ) : (
          <ErrorState error={user.error} retry={() => user.refetch()} />
        )}
      </Card>
    );
  }
  const u = user.data;
  return (
    <>
      <nav className="mb-2 text-sm text-slate-500">
        <Link href={`${ws.base}/users`} className="hover:text-slate-900">
          End users
        </Link>{" "}
        <span aria-hidden>/</span>
      </nav>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            {userId}
            {u && (u.blocks.length ? <Badge color="red">Blocked</Badge> : <Badge color="green">Active</Badge>)}
          </span>
        }
        description={
          u
            ? [
                u.orgId && `Org ${u.orgId}`,
                (u.assignedTier ?? u.tier) && `Tier ${u.assignedTier ?? u.tier}${u.assignedTier ? " (assigned)" : ""}`,
                u.seen ? `First seen ${formatDate(u.firstSeenAt)} · last seen ${formatRelative(u.lastSeenAt)}` : "No traffic yet",
              ]
                .filter(Boolean)
                .join(" · ")
            : "Loading…"
        }
        actions={
          <>
            <LiveIndicator live={live} updatedAt={lastUpdated(user, usage, events)} />
            <DateRangePicker />
          </>
        }
      />
      <div className="space-y-6">
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {u ? (
            <>
              <Stat
                label="Cost (all time)"
                value={formatUsd(u.costNanos)}
                title={formatUsdExact(u.costNanos)}
                sub={u.unpricedRequests ? `${formatNumber(u.unpricedRequests)} unpriced requests` : undefined}
              />
              <Stat label="Requests (all time)" value={formatNumber(u.requests)} />
              <Stat label="Tokens (all time)" value={formatCompact(u.totalTokens)} title={formatNumber(u.totalTokens)} />
              <Stat
                label={`Cost · ${range.label.toLowerCase()}`}
                value={usage.data ? formatUsd(usage.data.totals.costNanos) : "…"}
                sub={usage.data ? `${formatNumber(usage.data.totals.requests)} requests` : undefined}
              />
            </>
          ) : (
            Array.from({ length: 4 }, (_, i) => <Skeleton key={i} className="h-[104px]" />)
          )}
        </div>
        <div className="grid gap-6 lg:grid-cols-3">
          <Card className="lg:col-span-2">
            <CardHeader title="Usage over time" description={`${range.label}, UTC`} />
            <div className="px-5 py-4">
              <QueryView query={usage} loading={<Skeleton className="h-[292px]" />}>
                {(d) => <UsageChart series={d.series} from={range.from} to={range.to} interval={range.interval} height={250} />}
              </QueryView>
            </div>
          </Card>
          <div className="space-y-6">
            {u ? <BlockCard userId={userId} orgId={u.orgId} blocks={u.blocks} /> : <Skeleton className="h-40" />}
            {u?.seen && <TierCard userId={userId} sentTier={u.tier} assignedTier={u.assignedTier} assignedAt={u.tierAssignedAt} />}
            <Card>
              <CardHeader title="Intent labels" description="All-time, on this user's events" />
              {u && u.labels.length > 0 ? (
                <ul className="flex flex-wrap gap-2 px-5 py-4" data-testid="user-labels">
                  {u.labels.map((l) => (
                    <li key={l.label}>
                      <Link href={`${ws.base}/logs?userId=${encodeURIComponent(userId)}&label=${encodeURIComponent(l.label)}`}>
                        <Badge color={labelColor(l.label)}>
                          {l.label} · {formatNumber(l.count)}
                        </Badge>
                      </Link>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="px-5 py-4 text-sm text-slate-500" data-testid="user-labels">
                  {u ? "No labels yet." : "…"}
                </p>
              )}
            </Card>
          </div>
        </div>
        <Card>
          <CardHeader
            title="Recent events"
            description="The last 20 calls"
            actions={
              <Link
                href={`${ws.base}/logs?userId=${encodeURIComponent(userId)}`}
                className="text-xs font-medium text-indigo-600 hover:underline"
              >
                All of this user's events
              </Link>
            }
          />
          <QueryView
            query={events}
            loading={<LoadingRows />}
            isEmpty={(d) => d.rows.length === 0}
            empty={<EmptyState title="No events recorded for this user" />}
          >
            {(d) => <EventsTable rows={d.rows} base={ws.base} onOpen={setOpenEvent} showUser={false} />}
          </QueryView>
        </Card>
      </div>
      <EventDetail id={openEvent} onClose={() => setOpenEvent(null)} />
    </>
  );
}
