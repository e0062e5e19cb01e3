import { EmptyState } from "@/app/_components/states";
import { ButtonLink, Card } from "@/app/_components/ui";

// A workspace that does not exist and one the member does not belong to look the same.
export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg px-4 py-24">
      <Card>
        <EmptyState
          title="Workspace not found"
          description="It does not exist, or you are not a member of it."
          action={
            <ButtonLink href="/w" variant="secondary">
              Back to your workspace
            </ButtonLink>
          }
        />
      </Card>
    </main>
  );
}
