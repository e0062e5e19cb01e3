"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { AppRouter } from "@/server/api/root";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A 4xx (forbidden, not found, bad input) will not get better by asking again.
        retry: (count, err) => count < 2 && !/^(4\d\d)$/.test(String((err as { data?: { httpStatus?: number } })?.data?.httpStatus)),
      },
    },
  });
}

/** React Query + tRPC for the dashboard: one client per browser tab, batched calls to /api/trpc. */
export function TRPCReactProvider({ children }: { children: React.ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    // maxItems: the server refuses batches of more than 50 calls (app/api/trpc/[trpc]/route.ts).
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", maxItems: 50 })] }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** What procedures return, as the browser receives it (JSON: dates are strings). */
export type RouterOutputs = import("@trpc/server").inferRouterOutputs<AppRouter>;
export type RouterInputs = import("@trpc/server").inferRouterInputs<AppRouter>;
