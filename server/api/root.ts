import { alertsRouter } from "./routers/alerts";
import { auditLogsRouter } from "./routers/audit-logs";
import { billingRouter } from "./routers/billing";
import { authRouter } from "./routers/auth";
import { blocklistRouter, rulesRouter } from "./routers/guardrails";
import { usageRouter } from "./routers/usage";
import { breakdownRouter } from "./routers/breakdown";
import { apiKeysRouter } from "./routers/api-keys";
import { workspaceRouter } from "./routers/workspace";
import { dashboardRouter } from "./routers/dashboard";
import { endUsersRouter } from "./routers/end-users";
import { cohortsRouter } from "./routers/cohorts";
import { eventsRouter } from "./routers/events";
import { membersRouter } from "./routers/members";
import { settingsRouter } from "./routers/settings";
import { ssoRouter } from "./routers/sso";
import { labelsRouter } from "./routers/labels";
import { segmentsRouter } from "./routers/segments";
import { modelPricesRouter } from "./routers/model-prices";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  apiKeys: apiKeysRouter,
  usage: usageRouter,
  breakdown: breakdownRouter,
  rules: rulesRouter,
  blocklist: blocklistRouter,
  alerts: alertsRouter,
  billing: billingRouter,
  dashboard: dashboardRouter,
  endUsers: endUsersRouter,
  cohorts: cohortsRouter,
  events: eventsRouter,
  members: membersRouter,
  settings: settingsRouter,
  sso: ssoRouter,
  labels: labelsRouter,
  segments: segmentsRouter,
  auditLogs: auditLogsRouter,
  modelPrices: modelPricesRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
