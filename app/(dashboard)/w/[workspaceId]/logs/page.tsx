import { Suspense } from "react";
import { LogsView } from "./logs-view";

export default function LogsPage() {
  return (
    <Suspense>
      <LogsView />
    </Suspense>
  );
}
