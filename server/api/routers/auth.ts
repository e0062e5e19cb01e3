import { signUp, ZSignUp } from "@/server/services/auth/accounts";
import { publicProcedure, router } from "../trpc";

export const authRouter = router({
  /** Create a member and their first workspace (free plan); the client then signs in. */
  signUp: publicProcedure.input(ZSignUp).mutation(async ({ ctx, input }) => {
    const { member, workspace } = await signUp(ctx.db, input);
    return { memberId: member.id, workspaceId: workspace.id };
  }),
});
