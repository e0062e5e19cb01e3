import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { AppShell } from "@/app/_components/app-shell";
import { currentSession, serverCaller } from "@/lib/trpc/server";

export default async function WorkspaceLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ workspaceId: string }>;
}) {
  const { workspaceId } = await params;
  const session = await currentSession();
  const caller = await serverCaller(session?.memberId ?? null);
  try {
    // Through the procedure ladder: not a member → NOT_FOUND, the same as a workspace that does not exist.
    const [workspace, mine] = await Promise.all([caller.workspace.get({ workspaceId }), caller.workspace.mine()]);
    return (
      <AppShell
        workspace={{ id: workspace.id, name: workspace.name, plan: workspace.plan, role: workspace.role }}
        workspaces={mine}
        email={session?.email ?? null}
      >
        {children}
      </AppShell>
    );
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "UNAUTHORIZED")) notFound();
    throw err;
  }
}
