import { Suspense } from "react";
import { CohortsView } from "./cohorts-view";

export default function CohortsPage() {
  return (
    <Suspense>
      <CohortsView />
    </Suspense>
  );
}
