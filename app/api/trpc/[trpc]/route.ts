import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root";
import { currentMemberId } from "@/server/auth";
import { boot } from "@/server/boot";

export const dynamic = "force-dynamic";

// GET|POST /api/trpc/* – the dashboard's data.
function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => ({ db: await boot(), memberId: await currentMemberId() }),
  });
}

export { handler as GET, handler as POST };
