"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { DateRangePicker } from "@/app/_components/date-range";
import { EventDetail } from "@/app/_components/event-detail";
import { EventsTable } from "@/app/_components/events-table";
import { LiveIndicator } from "@/app/_components/live-indicator";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Button, ButtonLink, Card, PageHeader } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { lastUpdated, useLive, useLiveDateRange } from "@/app/_components/use-live";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import { FILTER_KEYS, LogFilters } from "./log-filters";
import { useLiveTail } from "./use-live-tail";

const PAGE_SIZE = 50;

export function LogsView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const live = useLive();
  const range = useLiveDateRange(live);
  const { get, set } = useUrlState();
  const [previous, setPrevious] = useState<Array<string | null>>([]);
  const [openEvent, setOpenEvent] = useState<string | null>(null);
  const filters = Object.fromEntries(FILTER_KEYS.flatMap((k) => (get(k) ? [[k, get(k)!]] : []))) as Partial<
    Record<(typeof FILTER_KEYS)[number], string>
  >;
  const cursor = get("cursor");
  const scope = { workspaceId: ws.id, ...filters, from: range.from, to: range.to };
  const events = useQuery({
    ...trpc.events.list.queryOptions({ ...scope, cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    // The live tail brings what is new; the page itself is read again only for another page or filter.
    refetchOnWindowFocus: false,
  });
  // The tail runs on the newest page only: an older page stays where the reader paged to.
  const tail = useLiveTail({
    live,
    input: scope,
    page: events.isPlaceholderData ? undefined : events.data?.rows,
    enabled: !cursor,
  });
  const exportQuery = new URLSearchParams({ workspaceId: ws.id, ...filters, from: range.from.toISOString(), to: range.to.toISOString() });
  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <PageHeader
        title="Logs"
        description="Every recorded LLM call, newest first. Open one to see its payload when payload logging is on."
        actions={
          <>
            <LiveIndicator
              live={live}
              updatedAt={lastUpdated(events, tail.query)}
              idle={cursor ? "Live tail on the newest page" : undefined}
            />
            <DateRangePicker />
            <ButtonLink href={`/api/export/events?${exportQuery}`} variant="secondary" prefetch={false}>
              Export CSV
            </ButtonLink>
          </>
        }
      />
      <Card>
        <LogFilters range={range} />
        <QueryView
          query={events}
          loading={<LoadingRows rows={10} />}
          isEmpty={(d) => d.rows.length === 0 && !cursor && tail.rows.length === 0}
          empty={
            filtered ? (
              <EmptyState title="No events match these filters" description="Widen the date range or clear a filter." />
            ) : (
              <EmptyState title="No events in this range" description="Events appear here as soon as your backend calls /sdk/record." />
            )
          }
        >
          {(d) => (
            <>
              <EventsTable
                rows={cursor || events.isPlaceholderData ? d.rows : tail.rows}
                base={ws.base}
                onOpen={setOpenEvent}
                highlight={tail.highlight}
              />
              <div className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm text-slate-500">
                <span>
                  {d.rows.length === 0 && tail.arrived === 0 ? "No more events" : `${d.rows.length} events on this page`}
                  {tail.arrived > 0 ? ` · ${tail.arrived} new since it opened` : ""}
                  {events.isFetching ? " · updating…" : ""}
                </span>
                <div className="flex gap-2">
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={!cursor}
                    onClick={() => {
                      const back = previous.length ? previous[previous.length - 1] : null;
                      setPrevious(previous.slice(0, -1));
                      set({ cursor: back });
                    }}
                  >
                    {previous.length ? "Newer" : "Newest"}
                  </Button>
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={!d.nextCursor}
                    onClick={() => {
                      setPrevious([...previous, cursor ?? null]);
                      set({ cursor: d.nextCursor });
                    }}
                  >
                    Older
                  </Button>
                </div>
              </div>
            </>
          )}
        </QueryView>
      </Card>
      <EventDetail id={openEvent} onClose={() => setOpenEvent(null)} />
    </>
  );
}
