import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { ResendVerification } from "@/app/_components/resend-verification";
import { ButtonLink } from "@/app/_components/ui";
import { currentSession, serverCaller } from "@/lib/trpc/server";
import { AcceptInvitation } from "./accept-invitation";

export const metadata = { title: "Invitation · Tokenist" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const session = await currentSession();
  const caller = await serverCaller(session?.memberId ?? null);
  let invitation;
  try {
    invitation = await caller.members.previewInvitation({ token });
  } catch (err) {
    if (!(err instanceof TRPCError) || !["NOT_FOUND", "BAD_REQUEST"].includes(err.code)) throw err;
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">Invitation not valid</h1>
        <p className="mt-2 text-sm text-slate-500">
          This link is invalid, was used already, or expired. Ask the person who invited you for a new one.
        </p>
        <Link href="/w" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
          Go to your dashboard
        </Link>
      </>
    );
  }
  const here = `/invite/${token}`;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Join {invitation.workspaceName}</h1>
      <p className="mt-2 text-sm text-slate-500">
        You are invited as <b className="text-slate-700">{invitation.role}</b>, for <b className="text-slate-700">{invitation.email}</b>.
      </p>
      <div className="mt-6">
        {session ? (
          session.email?.toLowerCase() === invitation.email ? (
            (await caller.auth.emailStatus()).verified ? (
              <AcceptInvitation token={token} />
            ) : (
              <div className="space-y-3">
                <p className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">
                  Verify your e-mail address first: open the link we sent to {invitation.email}, then come back to this page.
                </p>
                <ResendVerification />
              </div>
            )
          ) : (
            <p className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-800">
              You are signed in as {session.email}. Sign out and sign in as {invitation.email} to accept.
            </p>
          )
        ) : (
          <div className="space-y-2">
            <ButtonLink href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`} className="w-full">
              Sign in to accept
            </ButtonLink>
            <ButtonLink
              href={`/sign-up?email=${encodeURIComponent(invitation.email)}&callbackUrl=${encodeURIComponent(here)}`}
              variant="secondary"
              className="w-full"
            >
              Create an account
            </ButtonLink>
          </div>
        )}
      </div>
    </>
  );
}
