"use client";

import { ErrorState } from "@/app/_components/states";
import { Card } from "@/app/_components/ui";

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Card>
      <ErrorState
        error={{ message: "This page failed to load. It was logged on our side." + (error.digest ? ` (ref ${error.digest})` : "") }}
        retry={reset}
      />
    </Card>
  );
}
