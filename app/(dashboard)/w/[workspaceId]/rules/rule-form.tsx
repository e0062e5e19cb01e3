"use client";

import { useState } from "react";
import { InlineError } from "@/app/_components/states";
import { Button, Field, Input, Select } from "@/app/_components/ui";
import type { RouterInputs, RouterOutputs } from "@/lib/trpc/client";

export type Rule = RouterOutputs["rules"]["list"][number];
export type RuleInput = Omit<RouterInputs["rules"]["create"], "workspaceId">;

export const SCOPES = { user: "Each end user", org: "Each org", feature: "A feature", tier: "A tier", workspace: "The whole workspace" } as const;
export const METRICS = { requests: "Requests", tokens: "Tokens", cost_usd: "Cost (USD)" } as const;
export const WINDOWS = { minute: "Rolling minute", hour: "Rolling hour", day: "Rolling 24 hours", calendar_day: "Calendar day (UTC)", calendar_month: "Calendar month (UTC)" } as const;

/** Create or edit a rule: scope, metric, window, limit, action. */
export function RuleForm({ initial, pending, error, onSubmit, onCancel }: { initial?: Rule; pending: boolean; error: unknown; onSubmit: (r: RuleInput) => void; onCancel: () => void }) {
  const [name, setName] = useState(initial?.name ?? "");
  const [scope, setScope] = useState<keyof typeof SCOPES>(initial?.scope ?? "user");
  const [match, setMatch] = useState(initial?.match ?? "");
  const [metric, setMetric] = useState<keyof typeof METRICS>(initial?.metric ?? "requests");
  const [window, setWindow] = useState<keyof typeof WINDOWS>(initial?.window ?? "day");
  const [limit, setLimit] = useState(initial ? String(initial.limit) : "");
  const initialAction = initial?.action ?? "block";
  const [action, setAction] = useState(initialAction.startsWith("downgrade_model:") ? "downgrade_model" : initialAction);
  const [downgradeTo, setDowngradeTo] = useState(initialAction.startsWith("downgrade_model:") ? initialAction.slice("downgrade_model:".length) : "gpt-4o-mini");
  const matchLabel = scope === "user" ? "Only this user id" : scope === "org" ? "Only this org id" : scope === "feature" ? "Feature" : "Tier";
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    onSubmit({
      name: name.trim(),
      scope,
      match: scope === "workspace" ? null : match.trim() || null,
      metric,
      window,
      limit: Number(limit),
      action: action === "downgrade_model" ? `downgrade_model:${downgradeTo.trim()}` : action,
      enabled: initial?.enabled ?? true,
    });
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name">
        <Input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Free tier: 50 requests a day" maxLength={100} />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Applies to">
          <Select aria-label="Scope" value={scope} onChange={(e) => setScope(e.target.value as keyof typeof SCOPES)}>
            {Object.entries(SCOPES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </Select>
        </Field>
        {scope !== "workspace" && (
          <Field label={matchLabel} hint={scope === "user" || scope === "org" ? "Empty: every one, each counted separately" : undefined}>
            <Input aria-label="Match" required={scope === "feature" || scope === "tier"} value={match} onChange={(e) => setMatch(e.target.value)} placeholder={scope === "feature" ? "support-bot" : scope === "tier" ? "free" : "(all)"} />
          </Field>
        )}
      </div>
      <div className="grid grid-cols-3 gap-3">
        <Field label="Metric">
          <Select aria-label="Metric" value={metric} onChange={(e) => setMetric(e.target.value as keyof typeof METRICS)}>
            {Object.entries(METRICS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </Select>
        </Field>
        <Field label="Window">
          <Select aria-label="Window" value={window} onChange={(e) => setWindow(e.target.value as keyof typeof WINDOWS)}>
            {Object.entries(WINDOWS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </Select>
        </Field>
        <Field label={metric === "cost_usd" ? "Limit (USD)" : "Limit"}>
          <Input aria-label="Limit" required type="number" min={0} step={metric === "cost_usd" ? "any" : 1} value={limit} onChange={(e) => setLimit(e.target.value)} placeholder={metric === "cost_usd" ? "5.00" : "100"} />
        </Field>
      </div>
      <div className="grid grid-cols-2 gap-3">
        <Field label="When crossed">
          <Select aria-label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="block">Block (allowed: false)</option>
            <option value="alert">Alert only</option>
            <option value="require_reauth">Require re-authentication</option>
            <option value="downgrade_model">Downgrade the model</option>
          </Select>
        </Field>
        {action === "downgrade_model" && (
          <Field label="Downgrade to">
            <Input required value={downgradeTo} onChange={(e) => setDowngradeTo(e.target.value)} />
          </Field>
        )}
      </div>
      <InlineError error={error} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>Cancel</Button>
        <Button type="submit" disabled={pending}>{pending ? "Saving…" : initial ? "Save rule" : "Create rule"}</Button>
      </div>
    </form>
  );
}
