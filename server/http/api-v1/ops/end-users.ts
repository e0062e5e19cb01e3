import { z } from "zod";
import { ZBlock, ZEndUser, ZEndUserDetail, ZListOf } from "@/server/contract/api-v1";
import { getEndUser } from "@/server/services/end-users/get-end-user";
import { END_USER_SORTS, listEndUsers } from "@/server/services/end-users/list-end-users";
import { createBlock, unblockSubject } from "@/server/services/blocklist/manage-blocklist";
import { setEndUserTier, ZSetEndUserTier } from "@/server/services/end-users/set-tier";
import { defineOp } from "../define";
import { qBool, qCursor, qInt, qTime, range } from "../query";

export const listEndUsersOp = defineOp({
  method: "GET",
  path: "/api/v1/end-users",
  operationId: "listEndUsers",
  tag: "End users",
  scope: "read",
  permission: "workspace.read",
  summary: "End users with all-time totals, or totals over from–to; search by userId or orgId, a segment's members, sort, cursor pages",
  query: z.object({
    segment: z.string().max(64).optional(),
    from: qTime.optional(),
    to: qTime.optional(),
    search: z.string().max(256).optional(),
    sort: z.enum(END_USER_SORTS).optional(),
    dir: z.enum(["asc", "desc"]).optional(),
    blockedOnly: qBool.optional(),
    limit: qInt(1, 100).optional(),
    cursor: qCursor.regex(/^p\d+$/, "not a cursor of this list").optional(),
  }),
  response: ZListOf(ZEndUser),
  handler: async ({ ctx, query }) => {
    const page = query.cursor ? Number(query.cursor.slice(1)) : 1;
    const pageSize = query.limit ?? 25;
    // One end of the range given: the other defaults as on the usage routes (30 days up to now).
    const dates = query.from || query.to ? range(query) : {};
    const res = await listEndUsers({ ctx, input: { ...query, ...dates, page, pageSize } });
    return { data: res.rows, nextCursor: page * pageSize < res.total ? `p${page + 1}` : null };
  },
});

export const getEndUserOp = defineOp({
  method: "GET",
  path: "/api/v1/end-users/{userId}",
  operationId: "getEndUser",
  tag: "End users",
  scope: "read",
  permission: "workspace.read",
  summary: "One end user: totals, the blocks that apply now, intent label counts",
  response: ZEndUserDetail,
  handler: ({ ctx, params }) => getEndUser({ ctx, userId: params.userId }),
});

export const blockEndUser = defineOp({
  method: "POST",
  path: "/api/v1/end-users/{userId}/block",
  operationId: "blockEndUser",
  tag: "End users",
  scope: "write",
  permission: "blocklist.manage",
  status: 201,
  summary: "Block an end user, optionally until expiresAt",
  body: z.strictObject({ reason: z.string().max(500).nullish(), expiresAt: z.iso.datetime({ offset: true }).nullish() }),
  response: ZBlock,
  handler: ({ ctx, params, body }) =>
    createBlock({ ctx, input: { userId: params.userId, reason: body.reason, expiresAt: body.expiresAt } }),
});

export const unblockEndUser = defineOp({
  method: "POST",
  path: "/api/v1/end-users/{userId}/unblock",
  operationId: "unblockEndUser",
  tag: "End users",
  scope: "write",
  permission: "blocklist.manage",
  summary: "Remove every blocklist entry of an end user",
  body: z.strictObject({}).optional(),
  response: z.object({ removed: z.number().int() }),
  handler: ({ ctx, params }) => unblockSubject({ ctx, subjectType: "user", subjectId: params.userId }),
});

export const setEndUserTierOp = defineOp({
  method: "PUT",
  path: "/api/v1/end-users/{userId}/tier",
  operationId: "setEndUserTier",
  tag: "End users",
  scope: "write",
  permission: "blocklist.manage",
  summary:
    "Assign an end user a tier (wins over the tier the SDK sends, on checks and records), or clear it with null; sends end_user.tier_changed",
  body: ZSetEndUserTier,
  response: z.object({ changed: z.boolean(), userId: z.string(), from: z.string().nullable(), to: z.string().nullable() }),
  handler: ({ ctx, params, body }) => setEndUserTier({ ctx, userId: params.userId, input: body }),
});
