import { signUp, ZSignUp } from "@/server/services/auth/accounts";
import {
  emailStatus,
  inspectVerification,
  mailVerification,
  resendVerification,
  verifyEmail,
  ZVerificationToken,
} from "@/server/services/auth/email-verification";
import { ForbiddenError } from "@/server/services/errors";
import { enforcedSsoRefusal } from "@/server/services/sso/sign-in";
import { protectedProcedure, publicProcedure, router } from "../trpc";

export const authRouter = router({
  /** Create a member and their first workspace (free plan) and mail the verification link; the client then signs in. */
  signUp: publicProcedure.input(ZSignUp).mutation(async ({ ctx, input }) => {
    // A domain whose SSO is enforced gets its accounts from the identity provider, not from passwords.
    const refusal = await enforcedSsoRefusal(ctx.db, input.email, "sign-up");
    if (refusal) throw new ForbiddenError(refusal);
    const { member, workspace, verificationToken } = await signUp(ctx.db, input);
    await mailVerification(member, verificationToken);
    return { memberId: member.id, workspaceId: workspace.id };
  }),
  /** The signed-in member's e-mail and whether it is verified (the dashboard banner, the invitation page). */
  emailStatus: protectedProcedure.query(({ ctx }) => emailStatus(ctx.db, ctx.memberId)),
  /** Mail a new verification link (rate-limited). */
  resendVerification: protectedProcedure.mutation(({ ctx }) => resendVerification(ctx.db, ctx.memberId)),
  /** Whether a verification link is live, used, expired or unknown, without spending it (/verify-email, signed out). */
  inspectVerification: publicProcedure
    .input(ZVerificationToken)
    .query(async ({ ctx, input }) => ({ state: await inspectVerification(ctx.db, input.token) })),
  /** Spend a verification link as the signed-in member (/verify-email). */
  verifyEmail: protectedProcedure
    .input(ZVerificationToken)
    .mutation(async ({ ctx, input }) => ({ outcome: await verifyEmail(ctx.db, ctx.memberId, input.token) })),
});
