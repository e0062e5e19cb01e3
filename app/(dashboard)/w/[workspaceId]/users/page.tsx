import { Suspense } from "react";
import { EndUsersView } from "./end-users-view";

export default function EndUsersPage() {
  return (
    <Suspense>
      <EndUsersView />
    </Suspense>
  );
}
