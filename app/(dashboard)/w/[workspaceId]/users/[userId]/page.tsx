import { Suspense } from "react";
import { EndUserView } from "./end-user-view";

function decode(segment: string) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // already decoded, with a literal "%" in the id
  }
}

export default async function EndUserPage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return (
    <Suspense>
      <EndUserView userId={decode(userId)} />
    </Suspense>
  );
}
