"use client";

import { useState } from "react";
import { SegmentSelect } from "@/app/_components/segment-select";
import { InlineError } from "@/app/_components/states";
import { Button, Field, Input, Select } from "@/app/_components/ui";
import type { RouterInputs, RouterOutputs } from "@/lib/trpc/client";
import { RulePreview } from "./rule-preview";

export type Rule = RouterOutputs["rules"]["list"][number];
export type RuleInput = Omit<RouterInputs["rules"]["create"], "workspaceId">;

export const SCOPES = {
  user: "Each end user",
  org: "Each org",
  feature: "A feature",
  tier: "A tier",
  workspace: "The whole workspace",
} as const;
export const METRICS = { requests: "Requests", tokens: "Tokens", cost_usd: "Cost (USD)" } as const;
export const WINDOWS = {
  minute: "Rolling minute",
  hour: "Rolling hour",
  day: "Rolling 24 hours",
  calendar_day: "Calendar day (UTC)",
  calendar_month: "Calendar month (UTC)",
} as const;
/** The call filters, in the order the form and the list show them. */
export const FILTERS = { tier: "Tier", feature: "Feature", model: "Model", orgId: "Org id" } as const;
type FilterKey = keyof typeof FILTERS;
export const MODES = {
  enforce: { label: "Enforce", hint: "The rule decides: a crossed limit acts on the call." },
  shadow: {
    label: "Shadow",
    hint: "Evaluate on every check and record what it would have blocked, without blocking anyone.",
  },
} as const;
/** Actions that carry a value after a colon, with the form's label for it. */
const VALUED_ACTIONS = { downgrade_model: "Downgrade to", set_tier: "New tier" } as const;
type ValuedAction = keyof typeof VALUED_ACTIONS;
const isValued = (a: string): a is ValuedAction => a in VALUED_ACTIONS;
const FILTER_EXAMPLES: Record<FilterKey, string> = { tier: "free", feature: "support-bot", model: "gpt-4o", orgId: "org_123" };

/** The filled-in filters, trimmed, and the segment; none at all is null (every call counts). */
function toFilters(values: Record<FilterKey, string>, segment: string): RuleInput["filters"] {
  const entries = [...Object.entries(values), ["segment", segment] as const]
    .map(([k, v]) => [k, v.trim()] as const)
    .filter(([, v]) => v !== "");
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/** Create or edit a rule: who counts (scope), which calls count (filters), metric, window, limit, action. */
export function RuleForm({
  initial,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  initial?: Rule;
  pending: boolean;
  error: unknown;
  onSubmit: (r: RuleInput) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [scope, setScope] = useState<keyof typeof SCOPES>(initial?.scope ?? "user");
  const [match, setMatch] = useState(initial?.match ?? "");
  const [filters, setFilters] = useState<Record<FilterKey, string>>({
    tier: initial?.filters?.tier ?? "",
    feature: initial?.filters?.feature ?? "",
    model: initial?.filters?.model ?? "",
    orgId: initial?.filters?.orgId ?? "",
  });
  const [segment, setSegment] = useState(initial?.filters?.segment ?? "");
  const [metric, setMetric] = useState<keyof typeof METRICS>(initial?.metric ?? "requests");
  const [window, setWindow] = useState<keyof typeof WINDOWS>(initial?.window ?? "day");
  const [limit, setLimit] = useState(initial ? String(initial.limit) : "");
  const [mode, setMode] = useState<keyof typeof MODES>(initial?.mode ?? "enforce");
  const initialAction = initial?.action ?? "block";
  const [initialKind, initialValue] = initialAction.includes(":") ? initialAction.split(/:(.*)/s) : [initialAction, ""];
  const [action, setAction] = useState(initialKind ?? "block");
  // One value per valued action, so switching between them keeps what was typed in each.
  const [values, setValues] = useState<Record<ValuedAction, string>>({
    downgrade_model: initialKind === "downgrade_model" ? (initialValue ?? "") : "gpt-4o-mini",
    set_tier: initialKind === "set_tier" ? (initialValue ?? "") : "",
  });
  const matchLabel =
    scope === "user" ? "Only this user id" : scope === "org" ? "Only this org id" : scope === "feature" ? "Feature" : "Tier";
  /** The rule as the form says now (also what the preview replays). */
  const body = (): RuleInput => ({
    name: name.trim(),
    scope,
    match: scope === "workspace" ? null : match.trim() || null,
    filters: toFilters(filters, segment),
    metric,
    window,
    limit: Number(limit),
    action: isValued(action) ? `${action}:${values[action].trim()}` : action,
    mode,
    enabled: initial?.enabled ?? true,
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    onSubmit(body());
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name">
        <Input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Free tier: 50 requests a day" maxLength={100} />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Who counts" hint="Each end user or org has its own count; a feature, tier or the workspace shares one.">
          <Select aria-label="Scope" value={scope} onChange={(e) => setScope(e.target.value as keyof typeof SCOPES)}>
            {Object.entries(SCOPES).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </Select>
        </Field>
        {scope !== "workspace" && (
          <Field label={matchLabel} hint={scope === "user" || scope === "org" ? "Empty: every one, each counted separately" : undefined}>
            <Input
              aria-label="Match"
              required={scope === "feature" || scope === "tier"}
              value={match}
              onChange={(e) => setMatch(e.target.value)}
              placeholder={scope === "feature" ? "support-bot" : scope === "tier" ? "free" : "(all)"}
            />
          </Field>
        )}
      </div>
      <fieldset className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
        <legend className="px-1 text-xs font-medium text-slate-700">Which calls count (optional)</legend>
        <p className="mb-3 text-xs text-slate-500">
          The scope says who counts; filters say which calls count. With filters, only calls matching every one of them are counted and
          limited: &ldquo;each end user&rdquo; with tier <span className="font-mono">free</span> gives every free user their own limit.
          Leave them empty to count every call.
        </p>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {(Object.keys(FILTERS) as FilterKey[]).map((key) => (
            <Field key={key} label={FILTERS[key]}>
              <Input
                aria-label={`${FILTERS[key]} filter`}
                value={filters[key]}
                maxLength={256}
                onChange={(e) => setFilters((f) => ({ ...f, [key]: e.target.value }))}
                placeholder="any"
                title={`e.g. ${FILTER_EXAMPLES[key]}`}
              />
            </Field>
          ))}
        </div>
        <Field
          label="Only end users in a segment"
          className="mt-3"
          hint="The rule applies to the segment's members (kept up to date every minute); their calls count as above."
        >
          <SegmentSelect label="Segment filter" noneLabel="Every end user" value={segment} onChange={(id) => setSegment(id ?? "")} />
        </Field>
      </fieldset>
      <div className="grid grid-cols-3 gap-3">
        <Field label="Metric">
          <Select aria-label="Metric" value={metric} onChange={(e) => setMetric(e.target.value as keyof typeof METRICS)}>
            {Object.entries(METRICS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Window">
          <Select aria-label="Window" value={window} onChange={(e) => setWindow(e.target.value as keyof typeof WINDOWS)}>
            {Object.entries(WINDOWS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={metric === "cost_usd" ? "Limit (USD)" : "Limit"}>
          <Input
            aria-label="Limit"
            required
            type="number"
            min={0}
            step={metric === "cost_usd" ? "any" : 1}
            value={limit}
            onChange={(e) => setLimit(e.target.value)}
            placeholder={metric === "cost_usd" ? "5.00" : "100"}
          />
        </Field>
      </div>
      <div className="grid grid-cols-2 gap-3">
        <Field label="When crossed">
          <Select aria-label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="block">Block (allowed: false)</option>
            <option value="alert">Alert only</option>
            <option value="require_reauth">Require re-authentication</option>
            <option value="downgrade_model">Downgrade the model</option>
            <option value="set_tier">Set the end user&apos;s tier</option>
          </Select>
        </Field>
        {isValued(action) && (
          <Field label={VALUED_ACTIONS[action]}>
            <Input
              aria-label={VALUED_ACTIONS[action]}
              required
              value={values[action]}
              maxLength={action === "set_tier" ? 64 : 128}
              placeholder={action === "set_tier" ? "pro" : undefined}
              onChange={(e) => setValues((v) => ({ ...v, [action]: e.target.value }))}
            />
          </Field>
        )}
      </div>
      {action === "set_tier" && (
        <p className="-mt-2 text-xs text-slate-500" data-testid="set-tier-hint">
          Set the end user&apos;s tier to <span className="font-mono">{values.set_tier.trim() || "…"}</span>: the check is allowed, later
          calls match that tier&apos;s rules; a webhook <span className="font-mono">end_user.tier_changed</span> is sent.
        </p>
      )}
      <fieldset>
        <legend className="mb-1.5 block text-xs font-medium text-slate-700">Mode</legend>
        <div className="grid grid-cols-2 gap-3">
          {(Object.keys(MODES) as Array<keyof typeof MODES>).map((m) => (
            <label
              key={m}
              className={`flex cursor-pointer gap-2 rounded-lg p-3 text-sm ring-1 ${mode === m ? "bg-indigo-50 ring-indigo-300" : "ring-slate-200"}`}
            >
              <input
                type="radio"
                name="mode"
                value={m}
                checked={mode === m}
                onChange={() => setMode(m)}
                aria-label={MODES[m].label}
                aria-describedby={`rule-mode-${m}`}
                className="mt-0.5"
              />
              <span>
                <span className="font-medium text-slate-900">{MODES[m].label}</span>
                <span id={`rule-mode-${m}`} className="mt-0.5 block text-xs text-slate-500">
                  {MODES[m].hint}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <RulePreview body={body} />
      <InlineError error={error} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : initial ? "Save rule" : "Create rule"}
        </Button>
      </div>
    </form>
  );
}
