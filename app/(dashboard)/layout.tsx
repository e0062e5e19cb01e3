import { redirect } from "next/navigation";
import { Providers } from "@/app/_components/providers";
import { currentSession } from "@/lib/trpc/server";

export const dynamic = "force-dynamic";

// Every dashboard page needs a session: without one, sign in first.
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  if (!(await currentSession())) redirect("/sign-in");
  return <Providers>{children}</Providers>;
}
