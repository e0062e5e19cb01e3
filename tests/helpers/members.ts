import { vi } from "vitest";
import { callApi, type RunningApp } from "./app-server";
import { Session } from "./session";

const PASSWORD = "correct horse battery";

/**
 * The e-mail verification link the app sent `email` (no SMTP_URL: written to the app's log, as
 * a self-hosting operator would see it). Polls the log until it is there.
 */
export async function verificationToken(app: RunningApp, email: string): Promise<string> {
  // The app writes the link before sign-up answers; its log reaches this process through a pipe.
  return vi.waitFor(
    () => {
      const line = app
        .logs()
        .split("\n")
        .find((l) => l.includes(email) && l.includes("verify-email?token="));
      const token = line && /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(line)?.[1];
      if (!token) throw new Error(`no verification e-mail for ${email} in the app's log`);
      return token;
    },
    { timeout: 30_000, interval: 20 },
  );
}

/**
 * A second member of the key's workspace, the way a person joins: an invitation made through
 * POST /api/v1/invitations with `key` (an `admin` key), sign-up, the e-mailed verification link,
 * and acceptance in the dashboard. Returns the member's id (as GET /api/v1/members shows it).
 */
export async function joinByInvitation(
  app: RunningApp,
  input: { email: string; role: "owner" | "admin" | "developer" | "viewer"; key?: string },
): Promise<{ memberId: string; session: Session }> {
  const inviter = { baseUrl: app.baseUrl, apiKey: input.key ?? app.apiKey };
  const invitation = await callApi(inviter, "/api/v1/invitations", { body: { email: input.email, role: input.role } });
  if (invitation.status !== 201) throw new Error(`invitation failed: ${JSON.stringify(invitation.body)}`);
  const session = new Session(app.baseUrl);
  const signUp = await session.trpc("auth.signUp", { email: input.email, password: PASSWORD });
  if (signUp.status !== 200) throw new Error(`sign-up failed: ${JSON.stringify(signUp.error)}`);
  await session.signIn(input.email, PASSWORD);
  const verified = await session.fetch(`/verify-email?token=${await verificationToken(app, input.email)}`);
  if (verified.status !== 200) throw new Error(`verification failed: ${verified.status}`);
  const accepted = await session.trpc("members.acceptInvitation", { token: invitation.body.token });
  if (accepted.status !== 200) throw new Error(`accepting failed: ${JSON.stringify(accepted.error)}`);
  const members = await callApi(inviter, "/api/v1/members");
  const member = (members.body.data as Array<{ id: string; email: string }>).find((m) => m.email === input.email);
  if (!member) throw new Error(`${input.email} is not a member after accepting`);
  return { memberId: member.id, session };
}
