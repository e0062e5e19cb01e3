"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDateTime, formatNumber, formatUsdExact } from "./format";
import { Modal } from "./modal";
import { LoadingRows, QueryView } from "./states";
import { Badge, labelColor } from "./ui";
import { useWorkspace } from "./workspace-context";
import { useTRPC } from "@/lib/trpc/client";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-1.5 text-sm">
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-right font-medium break-all text-slate-900">{children ?? "—"}</dd>
    </div>
  );
}

function Json({ value }: { value: unknown }) {
  return (
    <pre className="max-h-72 overflow-auto rounded-lg bg-slate-900 p-3 text-xs leading-relaxed whitespace-pre-wrap text-slate-100">
      {typeof value === "string" ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** One event: its accounting, and the stored payload when the workspace logs payloads. */
export function EventDetail({ id, onClose }: { id: string | null; onClose: () => void }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const event = useQuery({ ...trpc.events.get.queryOptions({ workspaceId: ws.id, id: id ?? "" }), enabled: Boolean(id) });
  return (
    <Modal open={Boolean(id)} onClose={onClose} title="Event" wide>
      <QueryView query={event} loading={<LoadingRows rows={6} />}>
        {({ event: e, payloads, payloadLogging }) => (
          <div className="grid gap-6 md:grid-cols-2">
            <dl className="divide-y divide-slate-100">
              <Row label="Time">{formatDateTime(e.occurredAt)}</Row>
              <Row label="Event id">
                <span className="font-mono text-xs">{e.id}</span>
              </Row>
              <Row label="Request id">
                <span className="font-mono text-xs">{e.requestId}</span>
              </Row>
              <Row label="User">
                {e.userId && (
                  <Link className="text-indigo-600 hover:underline" href={`${ws.base}/users/${encodeURIComponent(e.userId)}`}>
                    {e.userId}
                  </Link>
                )}
              </Row>
              <Row label="Org">{e.orgId}</Row>
              <Row label="Feature">{e.feature}</Row>
              <Row label="Model">
                {e.model}
                {e.provider ? ` (${e.provider})` : ""}
              </Row>
              <Row label="Tokens in / cached / out">
                {formatNumber(e.inputTokens)} / {formatNumber(e.cachedInputTokens)} / {formatNumber(e.outputTokens)}
              </Row>
              {e.reasoningTokens > 0 && <Row label="Reasoning tokens">{formatNumber(e.reasoningTokens)}</Row>}
              <Row label="Cost">{e.priced ? formatUsdExact(e.costNanos) : <Badge color="amber">unpriced</Badge>}</Row>
              <Row label="Latency">{e.latencyMs === null ? null : `${formatNumber(e.latencyMs)} ms`}</Row>
              <Row label="Labels">
                {e.labels.length ? (
                  <span className="inline-flex gap-1">
                    {e.labels.map((l) => (
                      <Badge key={l} color={labelColor(l)}>
                        {l}
                      </Badge>
                    ))}
                  </span>
                ) : null}
              </Row>
            </dl>
            <div className="space-y-3" data-testid="payload-viewer">
              <h3 className="text-sm font-semibold text-slate-900">Payload</h3>
              {payloads.length > 0 ? (
                payloads.map((p) => (
                  <div key={p.id} className="space-y-2">
                    <p className="text-xs text-slate-500">
                      From /sdk/{p.source} · {formatDateTime(p.createdAt)}
                    </p>
                    <p className="text-xs font-medium text-slate-700">Request</p>
                    <Json value={p.request} />
                    <p className="text-xs font-medium text-slate-700">Response</p>
                    <Json value={p.response} />
                  </div>
                ))
              ) : payloadLogging ? (
                <p className="rounded-lg bg-slate-50 px-3 py-3 text-sm text-slate-600">No payload was sent with this call.</p>
              ) : (
                <p className="rounded-lg bg-slate-50 px-3 py-3 text-sm text-slate-600">
                  Payload logging is off for this workspace.{" "}
                  <Link href={`${ws.base}/settings`} className="font-medium text-indigo-600 hover:underline">
                    Turn it on in Settings
                  </Link>{" "}
                  to keep inputs and outputs of new calls.
                </p>
              )}
              {e.metadata && (
                <>
                  <p className="text-xs font-medium text-slate-700">Metadata</p>
                  <Json value={e.metadata} />
                </>
              )}
            </div>
          </div>
        )}
      </QueryView>
    </Modal>
  );
}
