"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "@/app/_components/copy-button";
import { formatDateTime, formatRelative } from "@/app/_components/format";
import { Modal } from "@/app/_components/modal";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, Field, Input, PageHeader } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC } from "@/lib/trpc/client";

const SCOPES = [
  { id: "sdk", label: "sdk", hint: "/sdk/check, /sdk/record, /sdk/log" },
  { id: "read", label: "read", hint: "GET on /api/v1" },
  { id: "write", label: "write", hint: "rules and blocklist on /api/v1" },
  { id: "admin", label: "admin", hint: "members, invitations and billing on /api/v1, with your role" },
] as const;
type Scope = (typeof SCOPES)[number]["id"];

export function ApiKeysView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["sdk"]);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ workspaceId: ws.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: async (k) => {
        setCreating(false);
        setCreated({ name: k.name, key: k.key });
        setName("");
        await refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys your backend sends as Authorization: Bearer … Only a hash is stored: a key is shown once, when it is created."
        actions={ws.can("apiKeys.manage") && <Button onClick={() => setCreating(true)}>Create API key</Button>}
      />
      <Card>
        <QueryView
          query={keys}
          loading={<LoadingRows rows={3} />}
          isEmpty={(d) => d.length === 0}
          empty={
            <EmptyState
              title="No API keys yet"
              description="Create a key to call /sdk/check and /sdk/record from your backend."
              action={ws.can("apiKeys.manage") && <Button onClick={() => setCreating(true)}>Create API key</Button>}
            />
          }
        >
          {(rows) => (
            <Table>
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Key</Th>
                  <Th>Scopes</Th>
                  <Th>Created</Th>
                  <Th>Last used</Th>
                  <Th>Status</Th>
                  {ws.can("apiKeys.manage") && (
                    <Th align="right">
                      <span className="sr-only">Actions</span>
                    </Th>
                  )}
                </tr>
              </thead>
              <TBody>
                {rows.map((k) => (
                  <tr key={k.id} data-testid="api-key-row">
                    <Td className="font-medium text-slate-900">{k.name}</Td>
                    <Td>
                      <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">{k.start}…</code>
                    </Td>
                    <Td>
                      <div className="flex gap-1">
                        {k.scopes.map((s) => (
                          <Badge key={s} color="indigo">
                            {s}
                          </Badge>
                        ))}
                      </div>
                    </Td>
                    <Td className="text-slate-500" title={formatDateTime(k.createdAt)}>
                      {formatRelative(k.createdAt)}
                    </Td>
                    <Td className="text-slate-500">{formatRelative(k.lastUsedAt)}</Td>
                    <Td>{k.revokedAt ? <Badge color="red">revoked</Badge> : <Badge color="green">active</Badge>}</Td>
                    {ws.can("apiKeys.manage") && (
                      <Td align="right">
                        {!k.revokedAt && (
                          <Button
                            size="sm"
                            variant="danger"
                            disabled={revoke.isPending}
                            onClick={() =>
                              window.confirm(`Revoke "${k.name}"? Calls with it fail at once.`) &&
                              revoke.mutate({ workspaceId: ws.id, id: k.id })
                            }
                          >
                            Revoke
                          </Button>
                        )}
                      </Td>
                    )}
                  </tr>
                ))}
              </TBody>
            </Table>
          )}
        </QueryView>
        {revoke.error ? (
          <div className="p-4">
            <InlineError error={revoke.error} />
          </div>
        ) : null}
      </Card>

      <Modal open={creating} onClose={() => setCreating(false)} title="Create API key">
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ workspaceId: ws.id, name: name.trim(), scopes });
          }}
        >
          <Field label="Name" hint="Where the key is used, e.g. production backend.">
            <Input
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Production backend"
              maxLength={100}
              autoFocus
            />
          </Field>
          <fieldset>
            <legend className="mb-1.5 text-xs font-medium text-slate-700">Scopes</legend>
            <div className="space-y-2">
              {/* The admin scope only for a role that may hand it out (not a developer); the server refuses it too. */}
              {SCOPES.filter((s) => s.id !== "admin" || ws.can("apiKeys.admin")).map((s) => (
                <label key={s.id} className="flex items-center gap-2 text-sm text-slate-700">
                  <input
                    type="checkbox"
                    className="h-4 w-4 rounded border-slate-300 text-indigo-600"
                    checked={scopes.includes(s.id)}
                    onChange={(e) => setScopes(e.target.checked ? [...scopes, s.id] : scopes.filter((x) => x !== s.id))}
                  />
                  <span className="font-medium">{s.label}</span> <span className="text-slate-500">{s.hint}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <InlineError error={create.error} />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setCreating(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending || !name.trim() || scopes.length === 0}>
              {create.isPending ? "Creating…" : "Create key"}
            </Button>
          </div>
        </form>
      </Modal>

      <Modal open={created !== null} onClose={() => setCreated(null)} title="Your new API key">
        {created && (
          <div className="space-y-4">
            <p className="text-sm text-slate-600">
              Copy <b>{created.name}</b> now and keep it somewhere safe. It will <b>not be shown again</b>.
            </p>
            <div className="flex items-center gap-2 rounded-lg bg-slate-900 px-3 py-2.5">
              <code className="flex-1 overflow-x-auto text-sm whitespace-nowrap text-emerald-300" data-testid="new-api-key">
                {created.key}
              </code>
              <CopyButton text={created.key} />
            </div>
            <pre className="overflow-x-auto rounded-lg bg-slate-50 p-3 text-xs text-slate-700">{`export TOKENIST_API_KEY=${created.key}`}</pre>
            <div className="flex justify-end">
              <Button onClick={() => setCreated(null)}>I have copied it</Button>
            </div>
          </div>
        )}
      </Modal>
    </>
  );
}
