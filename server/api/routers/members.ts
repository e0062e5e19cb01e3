import { z } from "zod";
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
  ZCreateInvitation,
  ZInvitationToken,
} from "@/server/services/members/invitations";
import { changeMemberRole, listMembers, removeMember, ZChangeRole, ZMemberId } from "@/server/services/members/manage-members";
import { permissionProcedure, protectedProcedure, publicProcedure, router, workspaceProcedure } from "../trpc";

export const membersRouter = router({
  list: workspaceProcedure.query(({ ctx }) => listMembers({ ctx: ctx.service })),
  invitations: workspaceProcedure.query(({ ctx }) => listInvitations({ ctx: ctx.service })),
  invite: permissionProcedure("members.manage")
    .input(ZCreateInvitation)
    .mutation(({ ctx, input }) => createInvitation({ ctx: ctx.service, actorRole: ctx.role, input })),
  revokeInvitation: permissionProcedure("members.manage")
    .input(z.object({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => revokeInvitation({ ctx: ctx.service, id: input.id })),
  changeRole: permissionProcedure("members.manage")
    .input(ZChangeRole)
    .mutation(({ ctx, input }) => changeMemberRole({ ctx: ctx.service, actorRole: ctx.role, input })),
  remove: permissionProcedure("members.manage")
    .input(ZMemberId)
    .mutation(({ ctx, input }) => removeMember({ ctx: ctx.service, actorRole: ctx.role, memberId: input.memberId })),
  /** Not workspace-scoped: the link's token names the workspace. */
  previewInvitation: publicProcedure.input(ZInvitationToken).query(({ ctx, input }) => previewInvitation(ctx.db, input.token)),
  acceptInvitation: protectedProcedure
    .input(ZInvitationToken)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.db, ctx.memberId, input.token)),
});
