"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "@/app/_components/copy-button";
import { Modal } from "@/app/_components/modal";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, CardHeader, Field, Input, Select, Toggle } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

type ChannelType = "email" | "slack" | "webhook";

/** Where alerts go: add, switch on and off, test, delete. */
export function ChannelsCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [type, setType] = useState<ChannelType>("email");
  const [name, setName] = useState("");
  const [target, setTarget] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const [tested, setTested] = useState<string | null>(null);
  const channels = useQuery(trpc.alerts.channels.queryOptions({ workspaceId: ws.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const create = useMutation(
    trpc.alerts.createChannel.mutationOptions({
      onSuccess: async (c) => {
        setAdding(false);
        setName("");
        setTarget("");
        if (typeof c.config.secret === "string") setSecret(c.config.secret);
        await refresh();
      },
    }),
  );
  const toggle = useMutation(trpc.alerts.setChannelEnabled.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.alerts.deleteChannel.mutationOptions({ onSuccess: refresh }));
  const test = useMutation(
    trpc.alerts.testChannel.mutationOptions({
      onSuccess: async (_r, v) => {
        setTested(v.id);
        await refresh();
      },
    }),
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const channel =
      type === "email"
        ? { type, name: name.trim(), to: target.split(/[,\s]+/).filter(Boolean) }
        : { type, name: name.trim(), url: target.trim() };
    create.mutate({ workspaceId: ws.id, channel });
  };
  return (
    <Card>
      <CardHeader
        title="Channels"
        description="E-mail, Slack incoming webhooks and signed webhooks."
        actions={
          ws.can("alerts.manage") && (
            <Button size="sm" onClick={() => setAdding(true)}>
              Add channel
            </Button>
          )
        }
      />
      <QueryView
        query={channels}
        loading={<LoadingRows rows={2} />}
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="No channels yet" description="Add where alerts should go, then create an alert." />}
      >
        {(rows) => (
          <Table>
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Type</Th>
                <Th>Sends to</Th>
                <Th>Enabled</Th>
                {ws.can("alerts.manage") && (
                  <Th align="right">
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <TBody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <Td className="font-medium text-slate-900">{c.name}</Td>
                  <Td>
                    <Badge color="indigo">{c.type}</Badge>
                  </Td>
                  <Td className="max-w-xs truncate text-slate-500">
                    {Array.isArray(c.config.to) ? c.config.to.join(", ") : String(c.config.url ?? "")}
                  </Td>
                  <Td>
                    {ws.can("alerts.manage") ? (
                      <Toggle
                        label={`Enable ${c.name}`}
                        checked={c.enabled}
                        onChange={(enabled) => toggle.mutate({ workspaceId: ws.id, id: c.id, enabled })}
                      />
                    ) : (
                      <Badge color={c.enabled ? "green" : "slate"}>{c.enabled ? "on" : "off"}</Badge>
                    )}
                  </Td>
                  {ws.can("alerts.manage") && (
                    <Td align="right">
                      <div className="flex justify-end gap-2">
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={test.isPending}
                          onClick={() => test.mutate({ workspaceId: ws.id, id: c.id })}
                        >
                          {tested === c.id && !test.isPending ? "Sent" : "Send test"}
                        </Button>
                        <Button
                          size="sm"
                          variant="danger"
                          onClick={() =>
                            window.confirm(`Delete the channel "${c.name}"?`) && remove.mutate({ workspaceId: ws.id, id: c.id })
                          }
                        >
                          Delete
                        </Button>
                      </div>
                    </Td>
                  )}
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </QueryView>
      <div className="px-5">
        <InlineError error={toggle.error ?? remove.error ?? test.error} />
      </div>
      <Modal open={adding} onClose={() => setAdding(false)} title="Add a channel">
        <form onSubmit={submit} className="space-y-4">
          <div className="grid grid-cols-3 gap-3">
            <Field label="Type">
              <Select value={type} onChange={(e) => setType(e.target.value as ChannelType)}>
                <option value="email">E-mail</option>
                <option value="slack">Slack</option>
                <option value="webhook">Webhook</option>
              </Select>
            </Field>
            <Field label="Name" className="col-span-2">
              <Input required value={name} onChange={(e) => setName(e.target.value)} placeholder="On-call" maxLength={100} />
            </Field>
          </div>
          <Field
            label={type === "email" ? "Addresses" : type === "slack" ? "Incoming webhook URL" : "URL"}
            hint={
              type === "webhook"
                ? "Each request is signed; the signing secret is shown once, after you add the channel."
                : type === "email"
                  ? "Separate several with commas."
                  : undefined
            }
          >
            <Input
              required
              value={target}
              onChange={(e) => setTarget(e.target.value)}
              placeholder={type === "email" ? "ops@company.com" : "https://…"}
            />
          </Field>
          <InlineError error={create.error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setAdding(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Adding…" : "Add channel"}
            </Button>
          </div>
        </form>
      </Modal>
      <Modal open={secret !== null} onClose={() => setSecret(null)} title="Webhook signing secret">
        <p className="text-sm text-slate-600">Verify each request&apos;s signature with this secret. It is not shown again.</p>
        <div className="mt-3 flex items-center gap-2 rounded-lg bg-slate-900 px-3 py-2.5">
          <code className="flex-1 overflow-x-auto text-sm text-emerald-300">{secret}</code>
          {secret && <CopyButton text={secret} />}
        </div>
      </Modal>
    </Card>
  );
}
