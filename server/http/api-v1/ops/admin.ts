import { z } from "zod";
import { ROLES } from "@/db/schema";
import {
  ZBilling,
  ZCreatedInvitation,
  ZInvitation,
  ZInvitationRevoked,
  ZListOf,
  ZMember,
  ZMemberRemoved,
  ZMemberRole,
  ZRedirectUrl,
  ZSso,
  ZSsoDeleted,
} from "@/server/contract/api-v1";
import { publicUrl } from "@/server/lib/public-url";
import { actingRole } from "@/server/services/api-keys/key-role";
import { createCheckoutSession, createPortalSession, ZCheckout } from "@/server/services/billing/checkout";
import { getBillingOverview } from "@/server/services/billing/manage-billing";
import { createInvitation, listInvitations, revokeInvitation, ZCreateInvitation } from "@/server/services/members/invitations";
import { changeMemberRole, listMembers, removeMember } from "@/server/services/members/manage-members";
import { deleteSso, putSso, requireSso, ZSsoInput } from "@/server/services/sso/config";
import { defineOp } from "../define";

/**
 * Members, invitations and billing: what the dashboard's Settings and Billing pages do, for a key
 * with the `admin` scope. The key acts with the role of the member it answers to (actingRole):
 * an admin's key may do what an admin may in the dashboard, an owner's key what an owner may. Each
 * declares the permission it needs, checked against that role before the handler runs (handler.ts).
 */

// Strict bodies: a misspelt field is a 400 naming it, never a silent default.
const ZRoleBody = z.strictObject({ role: z.enum(ROLES) });
const ZInviteBody = z.strictObject(ZCreateInvitation.shape);
// The success and cancel pages are the dashboard's: a key cannot send a payer elsewhere.
const ZCheckoutBody = z.strictObject({ plan: ZCheckout.shape.plan });

export const listMembersOp = defineOp({
  method: "GET",
  path: "/api/v1/members",
  operationId: "listMembers",
  tag: "Members",
  scope: "admin",
  permission: "workspace.read",
  summary: "The workspace's members and their roles, owners first",
  response: ZListOf(ZMember),
  handler: async ({ ctx }) => ({
    data: (await listMembers({ ctx })).map(({ memberId, ...m }) => ({ id: memberId, ...m })),
    nextCursor: null,
  }),
});
export const changeMemberRoleOp = defineOp({
  method: "PATCH",
  path: "/api/v1/members/{id}",
  operationId: "changeMemberRole",
  tag: "Members",
  scope: "admin",
  permission: "members.manage",
  summary:
    "Change a member's role; only an owner's key may grant or take the owner role, a workspace keeps an owner, and a member demoted to viewer loses their keys and invitations (to developer: their admin keys and invitations)",
  body: ZRoleBody,
  response: ZMemberRole,
  handler: async ({ ctx, params, body }) => {
    const changed = await changeMemberRole({ ctx, actorRole: await actingRole(ctx), input: { memberId: params.id, role: body.role } });
    return { id: changed.memberId, role: changed.role };
  },
});
export const removeMemberOp = defineOp({
  method: "DELETE",
  path: "/api/v1/members/{id}",
  operationId: "removeMember",
  tag: "Members",
  scope: "admin",
  permission: "members.manage",
  summary: "Remove a member (only an owner's key removes an owner); their API keys and invitations go with them",
  response: ZMemberRemoved,
  handler: async ({ ctx, params }) => {
    await removeMember({ ctx, actorRole: await actingRole(ctx), memberId: params.id });
    return { id: params.id, removed: true as const };
  },
});

export const listInvitationsOp = defineOp({
  method: "GET",
  path: "/api/v1/invitations",
  operationId: "listInvitations",
  tag: "Members",
  scope: "admin",
  permission: "workspace.read",
  summary: "Invitations not yet accepted and not expired, newest first",
  response: ZListOf(ZInvitation),
  handler: async ({ ctx }) => ({ data: await listInvitations({ ctx }), nextCursor: null }),
});
export const createInvitationOp = defineOp({
  method: "POST",
  path: "/api/v1/invitations",
  operationId: "createInvitation",
  tag: "Members",
  scope: "admin",
  permission: "members.manage",
  status: 201,
  summary:
    "Invite by e-mail with a role (viewer by default; owner only with an owner's key); the link, valid 7 days, is in this answer only",
  body: ZInviteBody,
  response: ZCreatedInvitation,
  handler: async ({ ctx, body }) => {
    const created = await createInvitation({ ctx, actorRole: await actingRole(ctx), input: body });
    return { ...created, url: `${publicUrl()}/invite/${created.token}` };
  },
});
export const revokeInvitationOp = defineOp({
  method: "DELETE",
  path: "/api/v1/invitations/{id}",
  operationId: "revokeInvitation",
  tag: "Members",
  scope: "admin",
  permission: "members.manage",
  summary: "Withdraw an invitation: its link stops working",
  response: ZInvitationRevoked,
  handler: async ({ ctx, params }) => {
    await revokeInvitation({ ctx, id: params.id });
    return { id: params.id, revoked: true as const };
  },
});

export const getBillingOp = defineOp({
  method: "GET",
  path: "/api/v1/billing",
  operationId: "getBilling",
  tag: "Billing",
  scope: "admin",
  permission: "workspace.read",
  summary: "Plan, subscription status, trial end, this month's tracked requests against the included ones, projected overage",
  response: ZBilling,
  handler: async ({ ctx }) => {
    const b = await getBillingOverview({ ctx });
    return {
      billingEnabled: b.billingEnabled,
      plan: b.plan,
      effectivePlan: b.effectivePlan,
      status: b.subscriptionStatus,
      trialEndsAt: b.trialEndsAt,
      currentPeriodEnd: b.currentPeriodEnd,
      graceUntil: b.graceUntil,
      requests: b.usage.requests,
      includedRequests: b.usage.included,
      projectedRequests: b.usage.projectedRequests,
      resetsAt: b.usage.resetsAt,
      hardCap: b.hardCap,
      overageUsd: b.overageUsd,
      projectedOverageUsd: b.projectedOverageUsd,
    };
  },
});
export const createCheckoutOp = defineOp({
  method: "POST",
  path: "/api/v1/billing/checkout",
  operationId: "createBillingCheckout",
  tag: "Billing",
  scope: "admin",
  permission: "billing.manage",
  summary: "A Stripe Checkout link for a plan (the workspace's first one carries the trial); an owner's key only, 404 when billing is off",
  body: ZCheckoutBody,
  response: ZRedirectUrl,
  handler: async ({ ctx, body }) => {
    const { url } = await createCheckoutSession({ ctx, input: { plan: body.plan } });
    return { url: url ?? "" };
  },
});
export const createPortalOp = defineOp({
  method: "POST",
  path: "/api/v1/billing/portal",
  operationId: "createBillingPortal",
  tag: "Billing",
  scope: "admin",
  permission: "billing.manage",
  summary: "A Stripe customer-portal link (plan changes, cards, invoices, cancelling); an owner's key only, 404 when billing is off",
  body: z.strictObject({}).optional(),
  response: ZRedirectUrl,
  handler: async ({ ctx }) => {
    return { url: (await createPortalSession({ ctx, input: {} })).url };
  },
});

export const getSsoOp = defineOp({
  method: "GET",
  path: "/api/v1/sso",
  operationId: "getSso",
  tag: "SSO",
  scope: "admin",
  permission: "workspace.read",
  summary: "The workspace's single sign-on (OIDC or SAML): identity provider, domains, enforcement, roles, last test; 404 when none",
  response: ZSso,
  handler: ({ ctx }) => requireSso({ ctx }),
});
export const putSsoOp = defineOp({
  method: "PUT",
  path: "/api/v1/sso",
  operationId: "putSso",
  tag: "SSO",
  scope: "admin",
  permission: "sso.manage",
  summary:
    "Configure single sign-on (Enterprise, an owner's key): the whole configuration each time; a changed identity provider or domain list clears the last test, and enforced: true needs a passed test (409 otherwise)",
  body: ZSsoInput,
  response: ZSso,
  handler: ({ ctx, body }) => putSso({ ctx, input: body }),
});
export const deleteSsoOp = defineOp({
  method: "DELETE",
  path: "/api/v1/sso",
  operationId: "deleteSso",
  tag: "SSO",
  scope: "admin",
  permission: "sso.manage",
  summary: "Remove single sign-on: its domains sign in with passwords and social sign-in again",
  response: ZSsoDeleted,
  handler: ({ ctx }) => deleteSso({ ctx }),
});
