"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { InlineError } from "./states";
import { Button, Field, Input, Select } from "./ui";
import { useWorkspace } from "./workspace-context";
import { useTRPC } from "@/lib/trpc/client";

const EXPIRIES = [
  { id: "1h", label: "1 hour", ms: 3_600_000 },
  { id: "24h", label: "24 hours", ms: 86_400_000 },
  { id: "7d", label: "7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "30 days", ms: 30 * 86_400_000 },
  { id: "never", label: "Never (until unblocked)", ms: null },
  { id: "custom", label: "Until a date…", ms: null },
] as const;

/** Block an end user or an org, with an optional expiry. */
export function BlockForm({ userId, onDone }: { userId?: string; onDone: () => void }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [subjectType, setSubjectType] = useState<"user" | "org">("user");
  const [subject, setSubject] = useState(userId ?? "");
  const [reason, setReason] = useState("");
  const [expiry, setExpiry] = useState<(typeof EXPIRIES)[number]["id"]>("24h");
  const [until, setUntil] = useState("");
  const create = useMutation(
    trpc.blocklist.create.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.blocklist.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.endUsers.pathKey() }),
        ]);
        onDone();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const preset = EXPIRIES.find((x) => x.id === expiry)!;
    const expiresAt =
      expiry === "custom"
        ? until
          ? new Date(until).toISOString()
          : undefined
        : preset.ms
          ? new Date(Date.now() + preset.ms).toISOString()
          : null;
    create.mutate({
      workspaceId: ws.id,
      ...(subjectType === "user" ? { userId: subject.trim() } : { orgId: subject.trim() }),
      reason: reason.trim() || null,
      expiresAt,
    });
  };
  return (
    <form onSubmit={submit} className="space-y-4">
      {!userId && (
        <div className="grid grid-cols-3 gap-3">
          <Field label="Block">
            <Select value={subjectType} onChange={(e) => setSubjectType(e.target.value as "user" | "org")}>
              <option value="user">End user</option>
              <option value="org">Org</option>
            </Select>
          </Field>
          <Field label={subjectType === "user" ? "User id" : "Org id"} className="col-span-2">
            <Input
              required
              value={subject}
              onChange={(e) => setSubject(e.target.value)}
              placeholder={subjectType === "user" ? "user_abc123" : "org_42"}
            />
          </Field>
        </div>
      )}
      <Field label="Reason" hint="Shown in the dashboard, never to the end user.">
        <Input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. jailbreak attempts" maxLength={500} />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Expires">
          <Select value={expiry} onChange={(e) => setExpiry(e.target.value as typeof expiry)} aria-label="Expires">
            {EXPIRIES.map((x) => (
              <option key={x.id} value={x.id}>
                {x.label}
              </option>
            ))}
          </Select>
        </Field>
        {expiry === "custom" && (
          <Field label="Until (your time)">
            <Input type="datetime-local" required value={until} onChange={(e) => setUntil(e.target.value)} />
          </Field>
        )}
      </div>
      <InlineError error={create.error} />
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={create.isPending || !subject.trim()}>
          {create.isPending ? "Blocking…" : "Block"}
        </Button>
      </div>
    </form>
  );
}
