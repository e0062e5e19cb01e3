import type { Role } from "@/db/schema";

/**
 * Who may do what in a workspace: the one catalogue every door reads. Each tRPC procedure declares
 * one of these (server/api/trpc.ts), each /api/v1 operation too (server/http/api-v1/define.ts),
 * the dashboard hides what a role lacks (`ws.can`) and Settings lists it. Type-only imports: the
 * browser bundles this file.
 */
export const PERMISSIONS = {
  "workspace.read": {
    roles: ["owner", "admin", "developer", "viewer"],
    summary: "See usage, events, end users, rules, alerts, API keys, members, billing, settings and the audit log",
  },
  "rules.manage": { roles: ["owner", "admin", "developer"], summary: "Create, change and delete rules" },
  "blocklist.manage": {
    roles: ["owner", "admin", "developer"],
    summary: "Block and unblock end users and orgs, set an end user's tier",
  },
  "labels.manage": { roles: ["owner", "admin", "developer"], summary: "Manage label policies and custom labels" },
  "alerts.manage": { roles: ["owner", "admin", "developer"], summary: "Manage alerts and alert channels" },
  "apiKeys.manage": { roles: ["owner", "admin", "developer"], summary: "Create and revoke API keys (sdk, read and write scopes)" },
  "apiKeys.admin": { roles: ["owner", "admin"], summary: "Create API keys with the admin scope (members, invitations, billing)" },
  "segments.manage": { roles: ["owner", "admin", "developer"], summary: "Create, change and delete segments" },
  "modelPrices.manage": { roles: ["owner", "admin", "developer"], summary: "Set and remove the workspace's model prices" },
  "members.manage": { roles: ["owner", "admin"], summary: "Invite members, change their roles, remove them" },
  "members.owner": { roles: ["owner"], summary: "Grant, take or remove the owner role" },
  "workspace.settings": {
    roles: ["owner", "admin"],
    summary: "Rename the workspace, change payload logging, redaction, usage policy and retention",
  },
  "billing.manage": { roles: ["owner"], summary: "Change the plan, open checkout and the billing portal" },
  "sso.manage": { roles: ["owner"], summary: "Configure and enforce single sign-on" },
} as const satisfies Record<string, { roles: readonly Role[]; summary: string }>;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** Every role, most powerful first, with what it is for (Settings' "Roles and permissions"). */
export const ROLE_INFO: Record<Role, { order: number; summary: string }> = {
  owner: { order: 0, summary: "Everything, including billing, owners and single sign-on" },
  admin: { order: 1, summary: "Everything but billing, owners and single sign-on" },
  developer: { order: 2, summary: "Rules, the blocklist, labels, alerts, API keys, segments and prices; not members, billing or settings" },
  viewer: { order: 3, summary: "Reads everything, changes nothing" },
};
export const ROLE_ORDER = (Object.keys(ROLE_INFO) as Role[]).sort((a, b) => ROLE_INFO[a].order - ROLE_INFO[b].order);

/** May `role` do `permission`? No role (not a member) may do anything. */
export function can(role: Role | null | undefined, permission: Permission): boolean {
  return role != null && (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

/** The permissions a role holds, in catalogue order. */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSION_NAMES.filter((p) => can(role, p));
}

const article = (role: Role) => `${role === "owner" || role === "admin" ? "an" : "a"} ${role}`;

/** "an owner", "an owner or an admin": who holds a permission, for refusals. */
export function whoMay(permission: Permission): string {
  const roles = PERMISSIONS[permission].roles.map((r) => article(r));
  return roles.length > 1 ? `${roles.slice(0, -1).join(", ")} or ${roles.at(-1)}` : roles[0]!;
}

/** The refusal of a member (or a key answering to one) whose role lacks `permission`. */
export function refusal(role: Role, permission: Permission): string {
  return `Only ${whoMay(permission)} can do this (the ${permission} permission); you are ${article(role)}`;
}
