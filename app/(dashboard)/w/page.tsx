import { redirect } from "next/navigation";
import { EmptyState } from "@/app/_components/states";
import { currentSession, serverCaller } from "@/lib/trpc/server";

// /w: the member's first workspace.
export default async function WorkspacesPage() {
  // Pages render alongside their layout, so this one checks the session itself too.
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const [first] = await (await serverCaller(session.memberId)).workspace.mine();
  if (first) redirect(`/w/${first.id}`);
  return (
    <main className="mx-auto max-w-lg py-24">
      <EmptyState
        title="You are not a member of any workspace"
        description="Ask an owner for an invitation link, or sign up again with another e-mail."
      />
    </main>
  );
}
