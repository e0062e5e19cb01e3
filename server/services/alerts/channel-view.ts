import { and, eq } from "drizzle-orm";
import { type alertChannels, apiKeys } from "@/db/schema";
import type { ServiceCtx } from "../context";
import { can } from "../core/permissions";
import { getMemberRole } from "../workspaces/workspaces";

type ChannelRow = typeof alertChannels.$inferSelect;

/**
 * May this caller see a channel's destinations (webhook URLs, e-mail recipients)? Members who may
 * manage alerts (owners, admins, developers), `write` keys and the system: the callers who may change channels anyway. Viewers and
 * read-only keys see where alerts go only in outline.
 */
export async function seesChannelDestinations(ctx: ServiceCtx): Promise<boolean> {
  const { actor } = ctx;
  if (actor.type === "system") return true;
  if (actor.type === "member") {
    const role = await getMemberRole(ctx.db, actor.id, ctx.workspaceId);
    return can(role, "alerts.manage");
  }
  const [key] = await ctx.db
    .select({ scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, actor.id), eq(apiKeys.workspaceId, ctx.workspaceId)));
  return key?.scopes.includes("write") ?? false;
}

/** "https://hooks.slack.com/…X9aZ": enough to tell channels apart, not enough to post to one. */
export function maskUrl(raw: unknown): string {
  const text = String(raw ?? "");
  const host = URL.canParse(text) ? new URL(text).origin : "";
  return `${host}/…${text.slice(-4)}`;
}

/**
 * The API's view of a channel. A webhook's signing secret appears only in the answer that
 * creates it (`reveal`). A Slack incoming-webhook URL is itself a bearer secret: it too is shown
 * in full only then. Other webhook URLs and e-mail recipients are shown to `full` callers.
 */
export function toChannel(c: ChannelRow, view: { reveal?: boolean; full: boolean }) {
  const { secret, url, to, ...rest } = c.config as { secret?: unknown; url?: unknown; to?: unknown };
  const config: Record<string, unknown> = { ...rest };
  if (view.reveal) Object.assign(config, { url, to, secret });
  else if (c.type === "email") Object.assign(config, view.full ? { to } : { recipients: Array.isArray(to) ? to.length : 0 });
  else config.url = c.type === "webhook" && view.full ? url : maskUrl(url);
  for (const k of Object.keys(config)) if (config[k] === undefined) delete config[k];
  return { id: c.id, type: c.type, name: c.name, config, enabled: c.enabled, createdAt: c.createdAt.toISOString() };
}
