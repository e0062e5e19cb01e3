"use client";

import Link from "next/link";
import { formatCompact, formatDateTime, formatNumber, formatUsd, formatUsdExact } from "./format";
import { Table, TBody, Td, Th } from "./table";
import { Badge, cx, labelColor } from "./ui";
import type { RouterOutputs } from "@/lib/trpc/client";

export type EventItem = RouterOutputs["events"]["list"]["rows"][number];

/** Events, newest first; a click opens the event (and its payload when logged). */
export function EventsTable({
  rows,
  base,
  onOpen,
  showUser = true,
  highlight,
}: {
  rows: EventItem[];
  base: string;
  onOpen: (id: string) => void;
  showUser?: boolean;
  /** Rows that just arrived (the live tail): shown highlighted for a moment. */
  highlight?: ReadonlySet<string>;
}) {
  return (
    <Table>
      <thead>
        <tr>
          <Th>Time</Th>
          {showUser && <Th>User</Th>}
          <Th>Feature</Th>
          <Th>Model</Th>
          <Th align="right">Tokens</Th>
          <Th align="right">Cost</Th>
          <Th>Labels</Th>
        </tr>
      </thead>
      <TBody>
        {rows.map((e) => (
          <tr
            key={e.id}
            className={cx("cursor-pointer transition-colors duration-1000 hover:bg-slate-50", highlight?.has(e.id) && "bg-emerald-50")}
            onClick={() => onOpen(e.id)}
            data-testid="event-row"
            data-new={highlight?.has(e.id) ? "true" : undefined}
          >
            <Td className="text-slate-500">
              <button
                type="button"
                className="hover:text-indigo-600"
                onClick={(ev) => {
                  ev.stopPropagation();
                  onOpen(e.id);
                }}
              >
                {formatDateTime(e.occurredAt)}
              </button>
            </Td>
            {showUser && (
              <Td>
                {e.userId ? (
                  <Link
                    href={`${base}/users/${encodeURIComponent(e.userId)}`}
                    onClick={(ev) => ev.stopPropagation()}
                    className="font-medium text-slate-900 hover:text-indigo-600"
                  >
                    {e.userId}
                  </Link>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </Td>
            )}
            <Td>{e.feature ?? <span className="text-slate-400">—</span>}</Td>
            <Td>
              <span className="font-mono text-xs">{e.model}</span>
              {!e.priced && (
                <span className="ml-2">
                  <Badge color="amber" title="No known price for this model: counted at $0">
                    unpriced
                  </Badge>
                </span>
              )}
            </Td>
            <Td align="right" title={`${formatNumber(e.inputTokens)} in · ${formatNumber(e.outputTokens)} out`}>
              {formatCompact(e.totalTokens)}
            </Td>
            <Td align="right" title={formatUsdExact(e.costNanos)} className="font-medium text-slate-900">
              {formatUsd(e.costNanos)}
            </Td>
            <Td>
              <div className="flex gap-1">
                {e.labels.length ? (
                  e.labels.map((l) => (
                    <Badge key={l} color={labelColor(l)}>
                      {l}
                    </Badge>
                  ))
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </div>
            </Td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}
