"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatNumber } from "@/app/_components/format";
import { Modal } from "@/app/_components/modal";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, CardHeader, ChoiceSelect, labelColor, Toggle } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";
import { ACTIONS, MODES, PolicyForm, STAGES, type PolicyInput } from "./policy-form";

const BUILT_IN = ["jailbreak", "tos_breach", "frustration", "win"];
type Policy = RouterOutputs["labels"]["policies"]["list"][number];

function duration(seconds: number) {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${Math.round(seconds / 60)} min`;
}

function describe(p: Policy) {
  if (p.stage === "content") {
    return `in a call's tool results → ${p.action === "block" ? "refuse the call" : "alert"} (at most once per ${duration(p.windowSeconds)} and user)`;
  }
  const then = ACTIONS[p.action as keyof typeof ACTIONS] ?? p.action;
  const extra = p.action === "throttle" ? ` to ${p.ratePerMinute}/min` : "";
  return `${formatNumber(p.minCount)}× in ${duration(p.windowSeconds)} → ${then.toLowerCase()}${extra}${p.durationSeconds ? ` for ${duration(p.durationSeconds)}` : ""}`;
}

const WEEK_MS = 7 * 86_400_000;

/** A shadow policy's last 7 days: how often it would have fired, and for how many end users. */
function ShadowSummary({ policyId }: { policyId: string }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  // Rounded to the minute, so the query key is stable across renders.
  const [range] = useState(() => {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    return { from: new Date(to.getTime() - WEEK_MS), to };
  });
  const shadow = useQuery(trpc.labels.policies.shadow.queryOptions({ workspaceId: ws.id, id: policyId, ...range }));
  if (shadow.isPending) return <span className="text-xs text-slate-400">Counting…</span>;
  if (shadow.isError) return <span className="text-xs text-rose-600">{shadow.error.message}</span>;
  const s = shadow.data;
  return (
    <span className="text-xs text-slate-500" data-testid="policy-shadow-summary">
      Last 7 days: would have fired <b className="font-semibold text-amber-700">{formatNumber(s.wouldDeny)}</b>×
      {s.wouldDeny > 0 && ` for ${formatNumber(s.endUsers)} end user${s.endUsers === 1 ? "" : "s"}`} · {formatNumber(s.checks)} labels seen
    </span>
  );
}

/** Label policies: automatic actions when a label repeats for an end user. */
export function PoliciesCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Partial<PolicyInput> | null>(null);
  const policies = useQuery(trpc.labels.policies.list.queryOptions({ workspaceId: ws.id }));
  const custom = useQuery(trpc.labels.custom.list.queryOptions({ workspaceId: ws.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.labels.policies.list.queryKey() });
  const create = useMutation(
    trpc.labels.policies.create.mutationOptions({
      onSuccess: async () => {
        setForm(null);
        await refresh();
      },
    }),
  );
  const update = useMutation(trpc.labels.policies.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.labels.policies.delete.mutationOptions({ onSuccess: refresh }));
  const labels = [...BUILT_IN, ...(custom.data ?? []).map((c) => c.name)];
  return (
    <Card>
      <CardHeader
        title="Policies"
        description={
          <>
            Off until you switch them on. <strong className="font-medium text-slate-700">record</strong>: applied by the labeller right
            after it labels a recorded call. <strong className="font-medium text-slate-700">check</strong>: the check&apos;s own input label
            counts at once — with at least 1 it denies that very call; alert = monitor mode.{" "}
            <strong className="font-medium text-slate-700">content</strong>: a prompt injection in the call&apos;s tool results refuses that
            call or alerts you; it never counts against the user.
          </>
        }
        actions={
          ws.can("labels.manage") && (
            <Button size="sm" onClick={() => setForm({})}>
              New policy
            </Button>
          )
        }
      />
      <QueryView
        query={policies}
        loading={<LoadingRows rows={4} />}
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="No policies" />}
      >
        {(rows) => (
          <Table>
            <thead>
              <tr>
                <Th>Policy</Th>
                <Th>Label</Th>
                <Th>Stage</Th>
                <Th>Rule</Th>
                <Th>Mode</Th>
                <Th>Enabled</Th>
                {ws.can("labels.manage") && (
                  <Th align="right">
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <TBody>
              {rows.map((p) => (
                <tr key={p.id} data-testid="policy-row">
                  <Td className="font-medium text-slate-900">{p.name}</Td>
                  <Td>
                    <Badge color={labelColor(p.label)}>{p.label}</Badge>
                  </Td>
                  <Td>
                    {ws.can("labels.manage") ? (
                      <ChoiceSelect
                        aria-label={`Stage of ${p.name}`}
                        className="w-28"
                        choices={STAGES}
                        showValues
                        value={p.stage}
                        disabled={update.isPending}
                        onChange={(stage) => update.mutate({ workspaceId: ws.id, id: p.id, patch: { stage } })}
                      />
                    ) : (
                      <Badge color={p.stage === "record" ? "slate" : "indigo"} title={STAGES[p.stage]}>
                        {p.stage}
                      </Badge>
                    )}
                  </Td>
                  <Td className="text-slate-600">
                    <div>{describe(p)}</div>
                    {p.mode === "shadow" && <ShadowSummary policyId={p.id} />}
                  </Td>
                  <Td>
                    {ws.can("labels.manage") ? (
                      <ChoiceSelect
                        aria-label={`Mode of ${p.name}`}
                        className="w-28"
                        choices={MODES}
                        showValues
                        value={p.mode}
                        disabled={update.isPending}
                        onChange={(mode) => update.mutate({ workspaceId: ws.id, id: p.id, patch: { mode } })}
                      />
                    ) : (
                      <Badge color={p.mode === "shadow" ? "amber" : "slate"} title={MODES[p.mode]}>
                        {p.mode}
                      </Badge>
                    )}
                  </Td>
                  <Td>
                    {ws.can("labels.manage") ? (
                      <Toggle
                        label={`Enable ${p.name}`}
                        checked={p.enabled}
                        disabled={update.isPending}
                        onChange={(enabled) => update.mutate({ workspaceId: ws.id, id: p.id, patch: { enabled } })}
                      />
                    ) : (
                      <Badge color={p.enabled ? "green" : "slate"}>{p.enabled ? "on" : "off"}</Badge>
                    )}
                  </Td>
                  {ws.can("labels.manage") && (
                    <Td align="right">
                      <Button
                        size="sm"
                        variant="danger"
                        onClick={() => window.confirm(`Delete the policy "${p.name}"?`) && remove.mutate({ workspaceId: ws.id, id: p.id })}
                      >
                        Delete
                      </Button>
                    </Td>
                  )}
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </QueryView>
      <div className="px-5">
        <InlineError error={update.error ?? remove.error} />
      </div>
      <Modal open={form !== null} onClose={() => setForm(null)} title="New policy">
        {form && (
          <PolicyForm
            labels={labels}
            initial={form}
            pending={create.isPending}
            error={create.error}
            onCancel={() => setForm(null)}
            onSubmit={(p) => create.mutate({ workspaceId: ws.id, ...p })}
          />
        )}
      </Modal>
    </Card>
  );
}
