import { Suspense } from "react";
import { RuleView } from "./rule-view";

export default async function RulePage({ params }: { params: Promise<{ ruleId: string }> }) {
  const { ruleId } = await params;
  return (
    <Suspense>
      <RuleView ruleId={ruleId} />
    </Suspense>
  );
}
