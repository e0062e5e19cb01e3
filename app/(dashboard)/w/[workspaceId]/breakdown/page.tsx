import { Suspense } from "react";
import { BreakdownView } from "./breakdown-view";

export default function BreakdownPage() {
  return (
    <Suspense>
      <BreakdownView />
    </Suspense>
  );
}
