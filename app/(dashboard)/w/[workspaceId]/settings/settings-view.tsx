"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Badge, Button, Card, CardHeader, Field, Input, PageHeader, Toggle, inputClass } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";

type Settings = RouterOutputs["settings"]["get"];

export function SettingsView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const settings = useQuery(trpc.settings.get.queryOptions({ workspaceId: ws.id }));
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          ws.can("workspace.settings")
            ? "Workspace settings and members."
            : `You are ${ws.role === "admin" || ws.role === "owner" ? "an" : "a"} ${ws.role}: you can see the settings but not change them.`
        }
      />
      <QueryView
        query={settings}
        loading={
          <Card>
            <LoadingRows rows={6} />
          </Card>
        }
      >
        {(s) => <SettingsForm s={s} />}
      </QueryView>
    </>
  );
}

function SettingsForm({ s }: { s: Settings }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState(s.name);
  const [policy, setPolicy] = useState(s.usagePolicy ?? "");
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    setName(s.name);
    setPolicy(s.usagePolicy ?? "");
  }, [s.name, s.usagePolicy]);
  const refresh = async (what: string) => {
    await queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey() });
    setSaved(what);
    setTimeout(() => setSaved(null), 2500);
  };
  const rename = useMutation(
    trpc.workspace.rename.mutationOptions({
      onSuccess: async () => {
        await refresh("name");
        router.refresh();
      },
    }),
  );
  const update = useMutation(trpc.settings.update.mutationOptions({ onSuccess: () => refresh("settings") }));
  const readOnly = !ws.can("workspace.settings");
  return (
    <div className="space-y-6">
      <Card>
        <CardHeader title="Workspace" description={`Id ${s.id}`} actions={<Badge color="indigo">{s.plan} plan</Badge>} />
        <form
          className="flex flex-wrap items-end gap-3 px-5 py-4"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate({ workspaceId: ws.id, name });
          }}
        >
          <Field label="Name" className="w-full max-w-sm">
            <Input value={name} onChange={(e) => setName(e.target.value)} disabled={readOnly} required maxLength={100} />
          </Field>
          {!readOnly && (
            <Button type="submit" disabled={rename.isPending || name.trim() === s.name}>
              {rename.isPending ? "Saving…" : "Save name"}
            </Button>
          )}
          {saved === "name" && <span className="pb-2 text-sm text-emerald-600">Saved</span>}
          <div className="w-full">
            <InlineError error={rename.error} />
          </div>
        </form>
      </Card>
      <Card>
        <CardHeader
          title="Payloads and policy"
          description="What Tokenist keeps of your users' prompts and answers, and the policy the intent labeller applies."
        />
        <div className="divide-y divide-slate-100">
          <div className="flex items-center justify-between gap-6 px-5 py-4">
            <div>
              <p className="text-sm font-medium text-slate-900">Payload logging</p>
              <p className="text-sm text-slate-500">
                Keep the input and output text of each call (/sdk/record and /sdk/log), viewable in Logs. Off by default.
              </p>
            </div>
            <Toggle
              label="Payload logging"
              checked={s.payloadLogging}
              disabled={readOnly || update.isPending}
              onChange={(v) => update.mutate({ workspaceId: ws.id, payloadLogging: v })}
            />
          </div>
          <div className="flex items-center justify-between gap-6 px-5 py-4">
            <div>
              <p className="text-sm font-medium text-slate-900">Redact personal data</p>
              <p className="text-sm text-slate-500">Mask e-mail addresses, phone and card numbers before a payload is stored.</p>
            </div>
            <Toggle
              label="Redact personal data"
              checked={s.redactPayloads}
              disabled={readOnly || update.isPending}
              onChange={(v) => update.mutate({ workspaceId: ws.id, redactPayloads: v })}
            />
          </div>
          <div className="flex items-center justify-between gap-6 px-5 py-4">
            <div>
              <p className="text-sm font-medium text-slate-900">Send raw text to the LLM labeller</p>
              <p className="text-sm text-slate-500">
                When an LLM labels intent, each turn (your user's words and your model's reply) is sent to it: OpenAI, or the server the
                operator configured. Off (recommended): e-mail addresses, phone and card numbers, API keys and tokens are masked first,
                which rarely changes a label. On: the text goes as recorded; with "Redact personal data" on it was masked when recorded and
                stays masked. The built-in classifier runs inside Tokenist either way.
              </p>
            </div>
            <Toggle
              label="Send raw text to the LLM labeller"
              checked={s.llmLabelRawText}
              disabled={readOnly || update.isPending}
              onChange={(v) => update.mutate({ workspaceId: ws.id, llmLabelRawText: v })}
            />
          </div>
          <RetentionRow s={s} readOnly={readOnly} />
          <form
            className="space-y-3 px-5 py-4"
            onSubmit={(e) => {
              e.preventDefault();
              update.mutate({ workspaceId: ws.id, usagePolicy: policy.trim() || null });
            }}
          >
            <Field
              label="Usage policy"
              hint="Your product's acceptable-use rules, in plain words. The intent labeller marks calls that break them as tos_breach."
            >
              <textarea
                aria-label="Usage policy"
                className={`${inputClass} min-h-32 w-full`}
                value={policy}
                onChange={(e) => setPolicy(e.target.value)}
                disabled={readOnly}
                maxLength={20_000}
                placeholder="e.g. No generating malware. No requests for other users' personal data. Support questions only."
              />
            </Field>
            <div className="flex items-center gap-3">
              {!readOnly && (
                <Button type="submit" disabled={update.isPending || policy.trim() === (s.usagePolicy ?? "")}>
                  Save policy
                </Button>
              )}
              {saved === "settings" && <span className="text-sm text-emerald-600">Saved</span>}
            </div>
            <InlineError error={update.error} />
          </form>
        </div>
      </Card>
    </div>
  );
}

/** Log retention: the plan's; on Enterprise the workspace may set its own (applied by the next daily retention run). */
function RetentionRow({ s, readOnly }: { s: Settings; readOnly: boolean }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [days, setDays] = useState(String(s.retentionDays));
  useEffect(() => setDays(String(s.retentionDays)), [s.retentionDays]);
  const update = useMutation(
    trpc.settings.update.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey() }) }),
  );
  const custom = s.plan === "enterprise" && !readOnly;
  return (
    <div className="px-5 py-4">
      <div className="flex flex-wrap items-center justify-between gap-6">
        <div>
          <p className="text-sm font-medium text-slate-900">Log retention</p>
          <p className="text-sm text-slate-500">
            How long events and payloads are kept
            {s.plan === "enterprise"
              ? s.customRetention
                ? ": this workspace's own."
                : ": the Enterprise plan's; yours to change."
              : "; set by the plan."}{" "}
            Usage totals are kept beyond it.
          </p>
        </div>
        {custom ? (
          <form
            className="flex items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              update.mutate({ workspaceId: ws.id, retentionDays: Number(days) });
            }}
          >
            <Input
              type="number"
              min={1}
              max={3650}
              required
              aria-label="Retention in days"
              className="w-24"
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
            <span className="text-sm text-slate-500">days</span>
            <Button type="submit" variant="secondary" size="sm" disabled={update.isPending || days === String(s.retentionDays)}>
              Save
            </Button>
            {s.customRetention && (
              <Button
                variant="secondary"
                size="sm"
                disabled={update.isPending}
                onClick={() => update.mutate({ workspaceId: ws.id, retentionDays: null })}
              >
                Use the plan's
              </Button>
            )}
          </form>
        ) : (
          <span className="text-sm font-medium text-slate-900">{s.retentionDays} days</span>
        )}
      </div>
      <div className="mt-2">
        <InlineError error={update.error} />
      </div>
    </div>
  );
}
