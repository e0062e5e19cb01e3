import { z } from "zod";
import { ZApiKey, ZCreatedApiKey, ZListOf, ZWorkspace } from "@/server/contract/api-v1";
import { createApiKey, listApiKeys, revokeApiKey, ZCreateApiKey } from "@/server/services/api-keys/manage-api-keys";
import {
  getWorkspace,
  renameWorkspace,
  updateWorkspaceSettings,
  ZWorkspaceName,
  ZWorkspaceSettings,
} from "@/server/services/workspaces/workspaces";
import { retentionDays } from "@/server/services/core/plans";
import { defineOp } from "../define";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
type KeyRow = Awaited<ReturnType<typeof listApiKeys>>[number];
const toKey = (k: KeyRow) => ({ ...k, createdAt: k.createdAt.toISOString(), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) });
const toWorkspace = (w: Awaited<ReturnType<typeof getWorkspace>>) => ({
  id: w.id,
  name: w.name,
  plan: w.plan,
  payloadLogging: w.payloadLogging,
  redactPayloads: w.redactPayloads,
  usagePolicy: w.usagePolicy,
  llmLabelRawText: w.llmLabelRawText,
  retentionDays: retentionDays(w.plan, w.retentionDays),
  customRetention: w.retentionDays !== null,
  createdAt: w.createdAt.toISOString(),
});

export const listKeysOp = defineOp({
  method: "GET",
  path: "/api/v1/api-keys",
  operationId: "listApiKeys",
  tag: "API keys",
  scope: "read",
  permission: "workspace.read",
  summary: "API keys (never the secret: only its first characters)",
  response: ZListOf(ZApiKey),
  handler: async ({ ctx }) => ({ data: (await listApiKeys({ ctx })).map(toKey), nextCursor: null }),
});
export const createKeyOp = defineOp({
  method: "POST",
  path: "/api/v1/api-keys",
  operationId: "createApiKey",
  tag: "API keys",
  scope: "write",
  permission: "apiKeys.manage",
  status: 201,
  // A key hands out only scopes it holds; the secret is shown once (an Idempotency-Key replay has key: null).
  summary: "Create a key with scopes sdk, read, write, admin (at most the calling key's own); the secret is in this answer only",
  body: ZCreateApiKey,
  response: ZCreatedApiKey,
  handler: async ({ ctx, body }) => {
    const created = await createApiKey({ ctx, input: body });
    return { ...toKey(created), key: created.key };
  },
});
export const revokeKeyOp = defineOp({
  method: "DELETE",
  path: "/api/v1/api-keys/{id}",
  operationId: "revokeApiKey",
  tag: "API keys",
  scope: "write",
  permission: "apiKeys.manage",
  summary: "Revoke a key: it stops working in every process within a second",
  response: ZApiKey,
  handler: async ({ ctx, params }) => toKey(await revokeApiKey({ ctx, input: { id: params.id } })),
});

export const getWorkspaceOp = defineOp({
  method: "GET",
  path: "/api/v1/workspace",
  operationId: "getWorkspace",
  tag: "Workspace",
  scope: "read",
  permission: "workspace.read",
  summary: "The key's workspace: plan and settings",
  response: ZWorkspace,
  handler: async ({ ctx }) => toWorkspace(await getWorkspace({ ctx })),
});
// Strict, as the settings are: the name the dashboard's rename takes, and every setting.
const ZWorkspacePatch = z.strictObject({ name: ZWorkspaceName.optional(), ...ZWorkspaceSettings.shape });
export const updateWorkspaceOp = defineOp({
  method: "PATCH",
  path: "/api/v1/workspace",
  operationId: "updateWorkspace",
  tag: "Workspace",
  scope: "write",
  permission: "workspace.settings",
  summary:
    "The workspace's name, payload logging, redaction, usage policy, raw text for the LLM labeller, and its own retention (Enterprise; null: the plan's). Each change audited",
  body: ZWorkspacePatch,
  response: ZWorkspace,
  handler: async ({ ctx, body: { name, ...settings } }) => {
    // What the dashboard's Settings page does in two steps: rename (workspace.rename), then settings (workspace.settings).
    if (name !== undefined) await renameWorkspace({ ctx, input: { name } });
    if (name === undefined || Object.keys(settings).length) await updateWorkspaceSettings({ ctx, input: settings });
    return toWorkspace(await getWorkspace({ ctx }));
  },
});
