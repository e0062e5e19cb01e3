"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Badge, Button, Card, CardHeader, Field, Input } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

/** The workspace's own labels, next to the built-in ones, each described for the labeller. */
export function CustomLabelsCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [editing, setEditing] = useState<{ id: string; description: string } | null>(null);
  const labels = useQuery(trpc.labels.custom.list.queryOptions({ workspaceId: ws.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.labels.pathKey() });
  const create = useMutation(
    trpc.labels.custom.create.mutationOptions({
      onSuccess: async () => {
        setName("");
        setDescription("");
        await refresh();
      },
    }),
  );
  const update = useMutation(
    trpc.labels.custom.update.mutationOptions({
      onSuccess: async () => {
        setEditing(null);
        await refresh();
      },
    }),
  );
  const remove = useMutation(trpc.labels.custom.delete.mutationOptions({ onSuccess: refresh }));
  return (
    <Card>
      <CardHeader
        title="Custom labels"
        description={
          <>
            Built in: <Badge color="red">jailbreak</Badge> <Badge color="red">tos_breach</Badge> <Badge color="amber">frustration</Badge>{" "}
            <Badge color="green">win</Badge> <Badge>safe</Badge>. Add your own, described in plain words.
          </>
        }
      />
      <QueryView
        query={labels}
        loading={<LoadingRows rows={2} />}
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState
            className="py-6"
            title="No custom labels"
            description='For example refund_request: "the user asks for their money back".'
          />
        }
      >
        {(rows) => (
          <ul className="divide-y divide-slate-100">
            {rows.map((l) => (
              <li key={l.id} className="flex items-start justify-between gap-4 px-5 py-3 text-sm">
                <div className="min-w-0 flex-1">
                  <Badge color="violet">{l.name}</Badge>
                  {editing?.id === l.id ? (
                    <form
                      className="mt-2 flex gap-2"
                      onSubmit={(e) => {
                        e.preventDefault();
                        update.mutate({ workspaceId: ws.id, id: l.id, description: editing.description });
                      }}
                    >
                      <Input
                        aria-label={`Description of ${l.name}`}
                        value={editing.description}
                        onChange={(e) => setEditing({ id: l.id, description: e.target.value })}
                      />
                      <Button type="submit" size="sm" disabled={update.isPending}>
                        Save
                      </Button>
                      <Button size="sm" variant="ghost" onClick={() => setEditing(null)}>
                        Cancel
                      </Button>
                    </form>
                  ) : (
                    <p className="mt-1 text-slate-600">{l.description}</p>
                  )}
                </div>
                {ws.can("labels.manage") && editing?.id !== l.id && (
                  <div className="flex shrink-0 gap-2">
                    <Button size="sm" variant="secondary" onClick={() => setEditing({ id: l.id, description: l.description })}>
                      Edit
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      onClick={() => window.confirm(`Delete the label "${l.name}"?`) && remove.mutate({ workspaceId: ws.id, id: l.id })}
                    >
                      Delete
                    </Button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      {ws.can("labels.manage") && (
        <form
          className="grid gap-3 border-t border-slate-100 px-5 py-4 sm:grid-cols-[12rem_1fr_auto] sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ workspaceId: ws.id, name: name.trim(), description: description.trim() });
          }}
        >
          <Field label="New label">
            <Input required value={name} onChange={(e) => setName(e.target.value)} placeholder="refund_request" />
          </Field>
          <Field label="What it means">
            <Input
              required
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              placeholder="The user asks for their money back"
            />
          </Field>
          <Button type="submit" disabled={create.isPending}>
            Add label
          </Button>
        </form>
      )}
      <div className="px-5 pb-2">
        <InlineError error={create.error ?? update.error ?? remove.error} />
      </div>
    </Card>
  );
}
