import { Suspense } from "react";
import { FeaturesView } from "./features-view";

export default function FeaturesPage() {
  return (
    <Suspense>
      <FeaturesView />
    </Suspense>
  );
}
