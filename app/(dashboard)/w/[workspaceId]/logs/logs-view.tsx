"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { DateRangePicker, useDateRange } from "@/app/_components/date-range";
import { EventDetail } from "@/app/_components/event-detail";
import { EventsTable } from "@/app/_components/events-table";
import { EmptyState, LoadingRows, QueryView } from "@/app/_components/states";
import { Button, ButtonLink, Card, PageHeader } from "@/app/_components/ui";
import { useUrlState } from "@/app/_components/url-state";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";
import { FILTER_KEYS, LogFilters } from "./log-filters";

const PAGE_SIZE = 50;

export function LogsView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const range = useDateRange();
  const { get, set } = useUrlState();
  const [previous, setPrevious] = useState<Array<string | null>>([]);
  const [openEvent, setOpenEvent] = useState<string | null>(null);
  const filters = Object.fromEntries(FILTER_KEYS.flatMap((k) => (get(k) ? [[k, get(k)!]] : []))) as Partial<
    Record<(typeof FILTER_KEYS)[number], string>
  >;
  const cursor = get("cursor");
  const events = useQuery({
    ...trpc.events.list.queryOptions({ workspaceId: ws.id, ...filters, from: range.from, to: range.to, cursor, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
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
          isEmpty={(d) => d.rows.length === 0 && !cursor}
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
              <EventsTable rows={d.rows} base={ws.base} onOpen={setOpenEvent} />
              <div className="flex items-center justify-between border-t border-slate-100 px-4 py-3 text-sm text-slate-500">
                <span>
                  {d.rows.length === 0 ? "No more events" : `${d.rows.length} events on this page`}
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
