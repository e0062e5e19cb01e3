"use client";

import { useState } from "react";
import { SegmentSelect } from "@/app/_components/segment-select";
import { InlineError } from "@/app/_components/states";
import { Button, ChoiceSelect, Field, Input, Select } from "@/app/_components/ui";
import type { RouterInputs } from "@/lib/trpc/client";

export type PolicyInput = Omit<RouterInputs["labels"]["policies"]["create"], "workspaceId">;
export const ACTIONS = {
  block: "Block the user",
  throttle: "Throttle the user",
  require_reauth: "Require re-authentication",
  alert: "Alert only",
} as const;
const WINDOWS = [
  [300, "5 minutes"],
  [3600, "1 hour"],
  [21_600, "6 hours"],
  [86_400, "24 hours"],
  [604_800, "7 days"],
] as const;
/** enforce: the policy acts; shadow: its would-have firings are recorded and nothing is done. */
export const MODES = { enforce: "Enforce", shadow: "Shadow (record only)" } as const;
/**
 * When the label counts: after a call is recorded and labelled, at the check from its own input,
 * or at the check from the call's tool results and retrieved content (never against the user).
 */
export const STAGES = { record: "Recorded calls", check: "At the check", content: "Tool results" } as const;
/** What a content-stage policy can do: refuse that one call, or report it. */
const CONTENT_ACTIONS = { block: "Refuse the call", alert: "Alert only" } as const;
const DURATIONS = [
  [900, "15 minutes"],
  [3600, "1 hour"],
  [86_400, "24 hours"],
  [604_800, "7 days"],
] as const;

/** "When <label> appears N times within <window>, <action> for <duration>." */
export function PolicyForm({
  labels,
  initial,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  labels: string[];
  initial?: Partial<PolicyInput>;
  pending: boolean;
  error: unknown;
  onSubmit: (p: PolicyInput) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? "");
  const [label, setLabel] = useState(initial?.label ?? labels[0] ?? "jailbreak");
  const [minCount, setMinCount] = useState(String(initial?.minCount ?? 3));
  const [windowSeconds, setWindowSeconds] = useState(initial?.windowSeconds ?? 3600);
  const [action, setAction] = useState<keyof typeof ACTIONS>(initial?.action ?? "block");
  const [stage, setStage] = useState<keyof typeof STAGES>(initial?.stage ?? "record");
  const [durationSeconds, setDurationSeconds] = useState(initial?.durationSeconds ?? 3600);
  const [ratePerMinute, setRatePerMinute] = useState(String(initial?.ratePerMinute ?? 5));
  const [segment, setSegment] = useState(initial?.filters?.segment ?? "");
  const [mode, setMode] = useState<keyof typeof MODES>(initial?.mode ?? "enforce");
  // Content: the built-in classifier's reading of tool results knows jailbreak only, and acts per call.
  const content = stage === "content";
  const chooseStage = (next: keyof typeof STAGES) => {
    setStage(next);
    if (next === "content") {
      setLabel("jailbreak");
      setMinCount("1");
      if (action !== "block" && action !== "alert") setAction("block");
    }
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    onSubmit({
      name: name.trim(),
      label,
      minCount: Number(minCount),
      windowSeconds,
      action,
      stage,
      durationSeconds: action === "alert" || content ? null : durationSeconds,
      ratePerMinute: action === "throttle" && !content ? Number(ratePerMinute) : null,
      enabled: true,
      mode,
      filters: segment ? { segment } : null,
    });
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      <Field label="Name">
        <Input required value={name} onChange={(e) => setName(e.target.value)} placeholder="Block jailbreakers" maxLength={100} />
      </Field>
      <div className="grid grid-cols-3 gap-3">
        <Field label="When the label">
          <Select aria-label="Label" value={label} disabled={content} onChange={(e) => setLabel(e.target.value)}>
            {(content ? ["jailbreak"] : labels).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Appears at least">
          <Input
            aria-label="Times"
            type="number"
            min={1}
            required
            disabled={content}
            value={minCount}
            onChange={(e) => setMinCount(e.target.value)}
          />
        </Field>
        <Field label="Within">
          <Select aria-label="Within" value={windowSeconds} onChange={(e) => setWindowSeconds(Number(e.target.value))}>
            {WINDOWS.map(([s, l]) => (
              <option key={s} value={s}>
                {l}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field label="Acts on" hint="A segment's members only (kept up to date every minute), or every end user.">
        <SegmentSelect label="Segment filter" noneLabel="Every end user" value={segment} onChange={(id) => setSegment(id ?? "")} />
      </Field>
      <Field
        label="Counts"
        hint={
          stage === "check"
            ? "check: the check's own input label counts at once — with at least 1 it denies that very call; alert = monitor mode (the call goes through, you are told)."
            : content
              ? "Tool results: a prompt injection in what your app fetched for this call (tool output, a retrieved page) refuses that call (reason content) or alerts you, at most once per window and user. The page holds the attack, not the user: nobody is blocked and nothing counts against them."
              : "record: labels of recorded conversations count, after the labeller has run; the action applies from the next check."
        }
      >
        <ChoiceSelect aria-label="Stage" choices={STAGES} value={stage} onChange={chooseStage} />
      </Field>
      <div className="grid grid-cols-3 gap-3">
        <Field label="Then" className="col-span-1">
          {content ? (
            <ChoiceSelect aria-label="Then" choices={CONTENT_ACTIONS} value={action === "alert" ? "alert" : "block"} onChange={setAction} />
          ) : (
            <ChoiceSelect aria-label="Then" choices={ACTIONS} value={action} onChange={setAction} />
          )}
        </Field>
        {action !== "alert" && !content && (
          <Field label="For">
            <Select aria-label="For" value={durationSeconds} onChange={(e) => setDurationSeconds(Number(e.target.value))}>
              {DURATIONS.map(([s, l]) => (
                <option key={s} value={s}>
                  {l}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {action === "throttle" && !content && (
          <Field label="Requests a minute">
            <Input type="number" min={1} required value={ratePerMinute} onChange={(e) => setRatePerMinute(e.target.value)} />
          </Field>
        )}
      </div>
      <Field
        label="Mode"
        hint={
          mode === "shadow"
            ? "Shadow: counted on every label and its would-have firings recorded; nobody is blocked, throttled or alerted. Switch it to enforce once its numbers look right."
            : "Enforce: the policy acts. Auto-block needs the Growth plan; shadow mode works on every plan."
        }
      >
        <ChoiceSelect aria-label="Mode" choices={MODES} value={mode} onChange={setMode} />
      </Field>
      <InlineError error={error} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Create policy"}
        </Button>
      </div>
    </form>
  );
}
