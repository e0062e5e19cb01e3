"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { EventItem } from "@/app/_components/events-table";
import type { Live } from "@/app/_components/use-live";
import { type RouterInputs, useTRPC } from "@/lib/trpc/client";

/** Events read per tail request; a larger burst is read in order, one request after another. */
const TAIL_LIMIT = 100;
/** How long a row that just arrived stays highlighted. */
const HIGHLIGHT_MS = 4_000;
/** Sorts before every event id: with nothing shown yet, every event of the range is new. */
const BEFORE_ALL = `evt_${"0".repeat(26)}`;

type ListInput = Omit<RouterInputs["events"]["list"], "cursor" | "after" | "limit">;

/**
 * The live tail of the Logs page: while live, asks every LIVE_INTERVAL_MS for the events newer
 * than the newest one shown (the service's `after`), and puts them above the page. The rows are
 * kept per filter and range: another filter starts an empty tail.
 */
export function useLiveTail({
  live,
  input,
  page,
  enabled,
}: {
  live: Live;
  input: ListInput;
  page: EventItem[] | undefined;
  enabled: boolean;
}) {
  const trpc = useTRPC();
  const scope = JSON.stringify(input);
  const [tail, setTail] = useState<{ scope: string; rows: EventItem[] }>({ scope, rows: [] });
  const [highlight, setHighlight] = useState<ReadonlySet<string>>(() => new Set());
  const tailRows = tail.scope === scope ? tail.rows : [];
  const after = tailRows[0]?.id ?? page?.[0]?.id ?? BEFORE_ALL;
  const newer = useQuery({
    ...trpc.events.list.queryOptions({ ...input, after, limit: TAIL_LIMIT }),
    ...live.options,
    enabled: enabled && page !== undefined,
  });

  useEffect(() => {
    const arrived = newer.data?.rows;
    if (!arrived?.length) return;
    setTail((prev) => ({ scope, rows: [...arrived, ...(prev.scope === scope ? prev.rows : [])] }));
    setHighlight(new Set(arrived.map((r) => r.id)));
  }, [newer.data, scope]);

  useEffect(() => {
    if (highlight.size === 0) return;
    const timer = setTimeout(() => setHighlight(new Set()), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlight]);

  // Newest first, each event once, even if the page itself was read again meanwhile.
  const rows = useMemo(() => {
    const seen = new Set<string>();
    return [...(enabled ? tailRows : []), ...(page ?? [])]
      .filter((r) => {
        if (seen.has(r.id)) return false;
        seen.add(r.id);
        return true;
      })
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }, [enabled, tailRows, page]);
  return { rows, arrived: enabled ? tailRows.length : 0, highlight, query: newer };
}
