import { ResendVerification } from "@/app/_components/resend-verification";
import { ButtonLink } from "@/app/_components/ui";
import { currentSession, serverCaller } from "@/lib/trpc/server";
import { ZVerificationToken } from "@/server/services/auth/email-verification";

export const metadata = { title: "Verify your e-mail · Tokenist" };

function Message({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
      <div className="mt-2 space-y-4 text-sm text-slate-500">{children}</div>
    </>
  );
}

const dashboard = (
  <ButtonLink href="/w" variant="secondary" className="w-full">
    Go to your dashboard
  </ButtonLink>
);

/**
 * The link from the verification e-mail. It is spent only by the member it was sent for, signed
 * in: the owner of a mailbox who clicks a link for an account someone else created with their
 * address confirms nothing.
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).token;
  const parsed = ZVerificationToken.safeParse({ token: typeof raw === "string" ? raw : "" });
  const session = await currentSession();
  const caller = await serverCaller(session?.memberId ?? null);
  const invalid = (
    <Message title="This link is not valid">
      <p>Check that you opened the whole link from the e-mail{session ? ", or send yourself a new one" : ""}.</p>
      {session ? <ResendVerification /> : dashboard}
    </Message>
  );
  if (!parsed.success) return invalid;
  const { token } = parsed.data;

  if (!session) {
    const { state } = await caller.auth.inspectVerification({ token });
    if (state === "invalid") return invalid;
    if (state === "valid") {
      const here = `/verify-email?token=${token}`;
      return (
        <Message title="Sign in to confirm your e-mail">
          <p>Sign in to the account you created, in this browser, and the link confirms its address.</p>
          <ButtonLink href={`/sign-in?callbackUrl=${encodeURIComponent(here)}`} className="w-full">
            Sign in to confirm
          </ButtonLink>
        </Message>
      );
    }
    return (
      <Message title={state === "expired" ? "This link has expired" : "This link was used already"}>
        <p>
          {state === "expired" ? "Links work for 24 hours." : "Each link works once."} Sign in to see whether your address is confirmed, or
          to send a new link.
        </p>
        <ButtonLink href="/sign-in?callbackUrl=%2Fw" className="w-full">
          Sign in
        </ButtonLink>
      </Message>
    );
  }

  const { outcome } = await caller.auth.verifyEmail({ token });
  const { email, verified } = await caller.auth.emailStatus();
  if (outcome === "verified") {
    return (
      <Message title="E-mail address verified">
        <p>
          Thanks: <b className="text-slate-700">{email}</b> is confirmed. You can now accept invitations to other workspaces.
        </p>
        {dashboard}
      </Message>
    );
  }
  if (outcome === "other_member") {
    return (
      <Message title="This link is for another account">
        <p>You are signed in as {email}. Sign out, sign in to the account the link was sent for, and open the link again.</p>
        {dashboard}
      </Message>
    );
  }
  if (outcome === "invalid") return invalid;
  return (
    <Message title={outcome === "expired" ? "This link has expired" : "This link was used already"}>
      <p>
        {outcome === "expired" ? "Links work for 24 hours." : "Each link works once."}{" "}
        {verified ? `${email} is verified: there is nothing more to do.` : "Send yourself a new one."}
      </p>
      {verified ? dashboard : <ResendVerification />}
    </Message>
  );
}
