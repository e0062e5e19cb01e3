import { Suspense } from "react";
import { BillingView } from "./billing-view";

export default function BillingPage() {
  return (
    <Suspense>
      <BillingView />
    </Suspense>
  );
}
