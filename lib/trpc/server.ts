import { getServerSession } from "next-auth";
import { createCaller } from "@/server/api/root";
import { authOptions } from "@/server/auth";
import { boot } from "@/server/boot";

/** The signed-in member (id and e-mail) of this request, or null. */
export async function currentSession(): Promise<{ memberId: string; email: string | null } | null> {
  const session = (await getServerSession(authOptions())) as { memberId?: string | null; user?: { email?: string | null } } | null;
  return session?.memberId ? { memberId: session.memberId, email: session.user?.email ?? null } : null;
}

/**
 * tRPC for server components and route handlers: the same procedures and the same ladder
 * as /api/trpc, called in-process as the signed-in member.
 */
export async function serverCaller(memberId?: string | null) {
  const id = memberId === undefined ? ((await currentSession())?.memberId ?? null) : memberId;
  return createCaller({ db: await boot(), memberId: id });
}
