import { Suspense } from "react";
import { BlocklistView } from "./blocklist-view";

export default function BlocklistPage() {
  return (
    <Suspense>
      <BlocklistView />
    </Suspense>
  );
}
