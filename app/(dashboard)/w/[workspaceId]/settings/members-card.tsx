"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyButton } from "@/app/_components/copy-button";
import { formatDate, formatRelative } from "@/app/_components/format";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, CardHeader, Input, Select } from "@/app/_components/ui";
import { useWorkspace, type Role } from "@/app/_components/workspace-context";
import { ROLE_INFO, ROLE_ORDER } from "@/server/services/core/permissions";
import { useTRPC } from "@/lib/trpc/client";

/** Members with their roles, pending invitations, and invite-by-link. */
export function MembersCard() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [link, setLink] = useState<{ email: string; url: string } | null>(null);
  const members = useQuery(trpc.members.list.queryOptions({ workspaceId: ws.id }));
  const invitations = useQuery({ ...trpc.members.invitations.queryOptions({ workspaceId: ws.id }), enabled: ws.can("members.manage") });
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess: async (inv) => {
        setLink({ email: inv.email, url: `${window.location.origin}/invite/${inv.token}` });
        setEmail("");
        await refresh();
      },
    }),
  );
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.members.revokeInvitation.mutationOptions({ onSuccess: refresh }));
  // Only a role that may grant the owner role offers it (the server enforces the same).
  const roles = ROLE_ORDER.filter((r) => r !== "owner" || ws.can("members.owner"));

  return (
    <Card>
      <CardHeader title="Members" description="What each role may do is listed under Roles and permissions below." />
      <QueryView query={members} loading={<LoadingRows rows={3} />}>
        {(rows) => {
          const owners = rows.filter((m) => m.role === "owner").length;
          return (
            <Table>
              <thead>
                <tr>
                  <Th>Member</Th>
                  <Th>Role</Th>
                  <Th>Joined</Th>
                  {ws.can("members.manage") && (
                    <Th align="right">
                      <span className="sr-only">Actions</span>
                    </Th>
                  )}
                </tr>
              </thead>
              <TBody>
                {rows.map((m) => {
                  // Only owners touch owners, and the last owner stays one (the server enforces both).
                  const locked = !ws.can("members.manage") || (m.role === "owner" && (!ws.can("members.owner") || owners === 1));
                  return (
                    <tr key={m.memberId} data-testid="member-row">
                      <Td>
                        <span className="font-medium text-slate-900">{m.name || m.email}</span>
                        {m.name && <span className="ml-2 text-slate-500">{m.email}</span>}
                      </Td>
                      <Td>
                        {locked ? (
                          <Badge
                            color={
                              m.role === "owner" ? "indigo" : m.role === "admin" ? "violet" : m.role === "developer" ? "green" : "slate"
                            }
                          >
                            {m.role}
                          </Badge>
                        ) : (
                          <Select
                            aria-label={`Role of ${m.email}`}
                            value={m.role}
                            className="w-32 py-1 text-xs"
                            onChange={(e) => changeRole.mutate({ workspaceId: ws.id, memberId: m.memberId, role: e.target.value as Role })}
                          >
                            {roles.map((r) => (
                              <option key={r} value={r}>
                                {r}
                              </option>
                            ))}
                          </Select>
                        )}
                      </Td>
                      <Td className="text-slate-500">{formatDate(m.joinedAt)}</Td>
                      {ws.can("members.manage") && (
                        <Td align="right">
                          {!locked && (
                            <Button
                              size="sm"
                              variant="danger"
                              disabled={remove.isPending}
                              onClick={() =>
                                window.confirm(`Remove ${m.email} from this workspace?`) &&
                                remove.mutate({ workspaceId: ws.id, memberId: m.memberId })
                              }
                            >
                              Remove
                            </Button>
                          )}
                        </Td>
                      )}
                    </tr>
                  );
                })}
              </TBody>
            </Table>
          );
        }}
      </QueryView>
      <div className="px-5">
        <InlineError error={changeRole.error ?? remove.error} />
      </div>
      {ws.can("members.manage") && (
        <div className="space-y-4 border-t border-slate-100 px-5 py-4">
          <form
            className="flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              invite.mutate({ workspaceId: ws.id, email, role });
            }}
          >
            <div className="w-full max-w-xs">
              <label className="mb-1.5 block text-xs font-medium text-slate-700" htmlFor="invite-email">
                Invite by e-mail
              </label>
              <Input
                id="invite-email"
                type="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                placeholder="teammate@company.com"
              />
            </div>
            <Select aria-label="Invite role" value={role} onChange={(e) => setRole(e.target.value as Role)} className="w-56">
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r} – {ROLE_INFO[r].summary}
                </option>
              ))}
            </Select>
            <Button type="submit" disabled={invite.isPending}>
              {invite.isPending ? "Creating…" : "Create invitation link"}
            </Button>
          </form>
          <InlineError error={invite.error} />
          {link && (
            <div className="rounded-lg border border-indigo-100 bg-indigo-50/60 p-3">
              <p className="mb-2 text-sm text-slate-700">
                Send this link to <b>{link.email}</b>. It works once, for that e-mail, for 7 days, and is not shown again.
              </p>
              <div className="flex items-center gap-2">
                <code className="flex-1 truncate rounded bg-white px-2 py-1.5 text-xs ring-1 ring-slate-200" data-testid="invite-link">
                  {link.url}
                </code>
                <CopyButton text={link.url} />
              </div>
            </div>
          )}
          <div>
            <p className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">Pending invitations</p>
            <QueryView
              query={invitations}
              loading={<LoadingRows rows={1} />}
              isEmpty={(d) => d.length === 0}
              empty={<EmptyState className="py-4" title="No pending invitations" />}
            >
              {(rows) => (
                <ul className="divide-y divide-slate-100 rounded-lg border border-slate-100">
                  {rows.map((i) => (
                    <li key={i.id} className="flex items-center justify-between px-3 py-2 text-sm">
                      <span>
                        <span className="font-medium text-slate-900">{i.email}</span> <Badge>{i.role}</Badge>{" "}
                        <span className="text-xs text-slate-500">expires {formatRelative(i.expiresAt)}</span>
                      </span>
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate({ workspaceId: ws.id, id: i.id })}
                      >
                        Revoke
                      </Button>
                    </li>
                  ))}
                </ul>
              )}
            </QueryView>
          </div>
        </div>
      )}
    </Card>
  );
}
