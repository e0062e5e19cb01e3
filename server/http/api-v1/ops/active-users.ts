import { z } from "zod";
import { ZActiveUsers } from "@/server/contract/api-v1";
import { ACTIVE_USER_INTERVALS, getActiveUsers } from "@/server/services/dashboard/active-users";
import { defineOp } from "../define";
import { qTime, range } from "../query";

export const getActiveUsersOp = defineOp({
  method: "GET",
  path: "/api/v1/usage/active-users",
  operationId: "getActiveUsers",
  tag: "Usage",
  scope: "read",
  permission: "workspace.read",
  summary: "Active end users (at least one request) and new end users (first seen) per UTC day or week, and over the whole range",
  query: z.object({ from: qTime.optional(), to: qTime.optional(), interval: z.enum(ACTIVE_USER_INTERVALS).optional() }),
  response: ZActiveUsers,
  handler: ({ ctx, query }) => getActiveUsers({ ctx, input: { ...range(query), interval: query.interval } }),
});
