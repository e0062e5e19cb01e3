import { Suspense } from "react";
import { CustomLabelsCard } from "./custom-labels-card";
import { LabelsView } from "./labels-view";
import { LlmCostCard } from "./llm-cost-card";
import { PoliciesCard } from "./policies-card";

export default function LabelsPage() {
  return (
    <Suspense>
      <LabelsView />
      <div className="mt-6 space-y-6">
        <LlmCostCard />
        <PoliciesCard />
        <CustomLabelsCard />
      </div>
    </Suspense>
  );
}
