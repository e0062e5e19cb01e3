import { Suspense } from "react";
import { OverviewView } from "./overview-view";

export default function OverviewPage() {
  return (
    <Suspense>
      <OverviewView />
    </Suspense>
  );
}
