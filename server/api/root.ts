import { authRouter } from "./routers/auth";
import { blocklistRouter, rulesRouter } from "./routers/guardrails";
import { usageRouter } from "./routers/usage";
import { apiKeysRouter } from "./routers/api-keys";
import { workspaceRouter } from "./routers/workspace";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  apiKeys: apiKeysRouter,
  usage: usageRouter,
  rules: rulesRouter,
  blocklist: blocklistRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
