import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, z } from "zod";
import type { Db } from "@/db/client";
import { log } from "@/server/lib/log";
import type { ServiceCtx } from "@/server/services/context";
import { can, type Permission, refusal } from "@/server/services/core/permissions";
import { ServiceError } from "@/server/services/errors";
import { getMemberRole } from "@/server/services/workspaces/workspaces";

export interface TRPCContext {
  db: Db;
  /** The signed-in member, or null. */
  memberId: string | null;
}

const TRPC_CODES: Record<number, TRPCError["code"]> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  429: "TOO_MANY_REQUESTS",
};

/** Service errors → tRPC errors; anything unknown is logged and becomes a bare 500. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof ZodError) return new TRPCError({ code: "BAD_REQUEST", message: err.issues[0]?.message, cause: err });
  if (err instanceof ServiceError && TRPC_CODES[err.status]) {
    return new TRPCError({ code: TRPC_CODES[err.status]!, message: err.message });
  }
  log.error("unhandled tRPC error", { err });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side." });
}

/**
 * Build a request's context. A failure here (the database unreachable, start-up failing) never
 * passes through a procedure's error mapping, and tRPC would answer with its message (a host, a
 * user name): it is logged and the client gets the generic 500.
 */
export async function createTRPCContext(load: () => Promise<TRPCContext>): Promise<TRPCContext> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ServiceError && TRPC_CODES[err.status]) throw toTRPCError(err);
    log.error("tRPC context failed", { err });
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Something went wrong on our side." });
  }
}

/**
 * What a procedure declares about who may call it: a permission of the catalogue
 * (server/services/core/permissions.ts), or, for the few that name no workspace, "public" or
 * "signedIn". Read by the tests that walk the matrix.
 */
export interface ProcedureMeta {
  access: Permission | "public" | "signedIn";
}

const t = initTRPC
  .context<TRPCContext>()
  .meta<ProcedureMeta>()
  .create({
    errorFormatter: ({ shape, error }) => ({
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    }),
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error.cause ?? result.error);
  return result;
});

/** Anyone. */
export const publicProcedure = t.procedure.use(mapErrors).meta({ access: "public" });

/** Signed in. */
export const protectedProcedure = publicProcedure.meta({ access: "signedIn" }).use(({ ctx, next }) => {
  if (!ctx.memberId) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { ...ctx, memberId: ctx.memberId } });
});

/** The key every workspace procedure's input carries. */
export const workspaceIdShape = { workspaceId: z.string().min(1) };

/** A member of the workspace named by `input.workspaceId`; services get a scoped ServiceCtx. */
const memberProcedure = protectedProcedure.input(z.object(workspaceIdShape)).use(async ({ ctx, input, next }) => {
  const role = await getMemberRole(ctx.db, ctx.memberId, input.workspaceId);
  // Not a member looks the same as not existing: ids of other workspaces reveal nothing.
  if (!role) throw new TRPCError({ code: "NOT_FOUND", message: "Workspace not found" });
  const service: ServiceCtx = {
    db: ctx.db,
    workspaceId: input.workspaceId,
    actor: { type: "member", id: ctx.memberId },
  };
  return next({ ctx: { ...ctx, role, service } });
});

/**
 * A member of the workspace whose role holds `permission` (the catalogue in
 * server/services/core/permissions.ts); any other member gets FORBIDDEN, a non-member NOT_FOUND.
 */
export function permissionProcedure(permission: Permission) {
  return memberProcedure.meta({ access: permission }).use(({ ctx, next }) => {
    if (!can(ctx.role, permission)) throw new TRPCError({ code: "FORBIDDEN", message: refusal(ctx.role, permission) });
    return next();
  });
}

/** Any member: reads. */
export const workspaceProcedure = permissionProcedure("workspace.read");
