import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Db, Queryable } from "@/db/client";
import { members, memberships, type Role, ssoConnections, ssoDomains, ssoRequests } from "@/db/schema";
import { newId } from "@/server/lib/ids";
import { log } from "@/server/lib/log";
import { takeOverUnverifiedMember } from "../auth/take-over-unverified";
import { writeAudit } from "../audit/write-audit";
import { SYSTEM } from "../context";
import { getMemberRole } from "../core/member-role";
import { can } from "../core/permissions";
import { freshBillingState, planAllows } from "../core/plans";
import { ForbiddenError } from "../errors";
import { changeMemberRole } from "../members/manage-members";
import { loadConnection, SSO_ROLES } from "./config";
import { type IdpIdentity, oidcAuthorizationUrl, oidcIdentity, SsoRefusal, samlAuthorizationUrl, samlIdentity } from "./protocols";

/** The cookie binding a sign-in to the browser that started it (its value: the request's id). */
export const SSO_COOKIE = "tokenist-sso";
export const SSO_REQUEST_TTL_MS = 10 * 60_000;

type Connection = typeof ssoConnections.$inferSelect;

const domainOf = (email: string) => email.trim().toLowerCase().split("@").at(-1) ?? "";
const hashTicket = (ticket: string) => createHash("sha256").update(ticket).digest("hex");

async function planHasSso(db: Queryable, workspaceId: string) {
  const ws = await freshBillingState(db, workspaceId);
  return ws ? planAllows(ws, "enterprise") : false;
}

/** The SSO that answers for an e-mail's domain, if any (and only while its workspace is on Enterprise). */
export async function ssoForEmail(db: Queryable, email: string) {
  const domain = domainOf(email);
  if (!domain || /[\u0000-\u001f]/.test(domain)) return null;
  const [row] = await db
    .select({ connection: ssoConnections })
    .from(ssoDomains)
    .innerJoin(ssoConnections, eq(ssoConnections.workspaceId, ssoDomains.workspaceId))
    .where(eq(ssoDomains.domain, domain))
    .limit(1);
  if (!row || !(await planHasSso(db, row.connection.workspaceId))) return null;
  return { domain, connection: row.connection };
}

/** next-auth's error code for a social sign-in refused because the domain's SSO is enforced (the sign-in page explains it). */
export const SSO_ENFORCED = "SsoEnforced";

/**
 * Password and social sign-in for an address whose domain's SSO is enforced: refused, with the way
 * in named. The workspace's owners keep their password (break-glass: an IdP outage must not lock the
 * workspace out); social sign-in is refused for everyone in the domain. Null: allowed.
 */
export async function enforcedSsoRefusal(db: Db, email: string, method: "password" | "social" | "sign-up"): Promise<string | null> {
  const sso = await ssoForEmail(db, email);
  if (!sso?.connection.enforced) return null;
  if (method === "password") {
    const [member] = await db.select({ id: members.id }).from(members).where(eq(members.email, email.trim().toLowerCase())).limit(1);
    if (member && (await getMemberRole(db, member.id, sso.connection.workspaceId)) === "owner") return null;
  }
  return `${sso.domain} signs in with single sign-on: choose "Use single sign-on (SSO)" on the sign-in page`;
}

/**
 * Start a sign-in: by the e-mail's domain ("Continue with SSO"), or a test of the workspace's
 * configuration by one of its owners (Settings). Returns where to send the browser and the request
 * id for the binding cookie.
 */
export async function startSso(db: Db, input: { email: string } | { testWorkspaceId: string; testBy: string }) {
  let connection: Connection;
  if ("email" in input) {
    const found = await ssoForEmail(db, input.email);
    if (!found)
      throw new SsoRefusal(
        `No single sign-on is set up for ${domainOf(input.email) || "this address"}: sign in with your password or a provider instead`,
      );
    connection = found.connection;
  } else {
    if (!can(await getMemberRole(db, input.testBy, input.testWorkspaceId), "sso.manage")) {
      throw new ForbiddenError("Only an owner can test this workspace's single sign-on");
    }
    const found = await loadConnection(db, input.testWorkspaceId);
    if (!found) throw new SsoRefusal("Save the single sign-on configuration first, then test it");
    if (!(await planHasSso(db, input.testWorkspaceId))) throw new SsoRefusal("Single sign-on needs the Enterprise plan");
    connection = found.connection;
  }
  await db.delete(ssoRequests).where(lt(ssoRequests.expiresAt, new Date()));
  const id = newId("ssr");
  const common = {
    id,
    workspaceId: connection.workspaceId,
    testBy: "testBy" in input ? input.testBy : null,
    expiresAt: new Date(Date.now() + SSO_REQUEST_TTL_MS),
  };
  if (connection.protocol === "oidc") {
    const { url, state, nonce, codeVerifier } = await oidcAuthorizationUrl(
      connection,
      "email" in input ? input.email.trim().toLowerCase() : undefined,
    );
    await db.insert(ssoRequests).values({ ...common, protocol: "oidc", state, nonce, codeVerifier });
    return { redirectUrl: url, requestId: id };
  }
  const { url, requestId } = await samlAuthorizationUrl(connection, id);
  await db.insert(ssoRequests).values({ ...common, protocol: "saml", state: requestId });
  return { redirectUrl: url, requestId: id };
}

export type SsoOutcome =
  | { kind: "signed_in"; ticket: string; workspaceId: string }
  | { kind: "tested"; workspaceId: string }
  | { kind: "refused"; message: string; requestId: string | null; testWorkspaceId: string | null };

type PendingRequest = typeof ssoRequests.$inferSelect;

/**
 * Claim a pending request once: a second answer for it (a replayed SAMLResponse, a reused code) finds
 * it completed and is refused.
 */
async function claim(db: Db, where: SQL | undefined): Promise<PendingRequest | null> {
  const [row] = await db
    .update(ssoRequests)
    .set({ completedAt: new Date() })
    .where(and(where, isNull(ssoRequests.completedAt), gt(ssoRequests.expiresAt, new Date())))
    .returning();
  return row ?? null;
}

const EXPIRED = 'This sign-in link has expired or was used already: start again with "Use single sign-on (SSO)" on the sign-in page';

/** OIDC callback (`?code&state` or `?error`). */
export async function finishOidc(db: Db, search: string): Promise<SsoOutcome> {
  const params = new URLSearchParams(search);
  const state = params.get("state") ?? "";
  const request = state ? await claim(db, and(eq(ssoRequests.state, state), eq(ssoRequests.protocol, "oidc"))) : null;
  if (!request) return { kind: "refused", message: EXPIRED, requestId: null, testWorkspaceId: null };
  return finish(db, request, async (c) => {
    const error = params.get("error");
    if (error) throw new SsoRefusal(`The identity provider refused: ${params.get("error_description") ?? error}`);
    return oidcIdentity(c, search, request);
  });
}

/** SAML assertion consumer service (HTTP-POST: SAMLResponse and RelayState, our request id). */
export async function finishSaml(db: Db, body: { samlResponse: string; relayState: string }): Promise<SsoOutcome> {
  const request = body.relayState ? await claim(db, and(eq(ssoRequests.id, body.relayState), eq(ssoRequests.protocol, "saml"))) : null;
  if (!request) return { kind: "refused", message: EXPIRED, requestId: null, testWorkspaceId: null };
  return finish(db, request, (c) => samlIdentity(c, body.samlResponse, request.state));
}

async function finish(db: Db, request: PendingRequest, identify: (c: Connection) => Promise<IdpIdentity>): Promise<SsoOutcome> {
  const testWorkspaceId = request.testBy ? request.workspaceId : null;
  const found = await loadConnection(db, request.workspaceId);
  try {
    if (!found || found.connection.protocol !== request.protocol)
      throw new SsoRefusal("This workspace's single sign-on changed meanwhile: start again");
    const { connection, domains } = found;
    const identity = await identify(connection);
    if (!domains.includes(domainOf(identity.email))) {
      throw new SsoRefusal(`${identity.email} is outside this workspace's SSO domains (${domains.join(", ")})`);
    }
    if (!identity.emailVerified) throw new SsoRefusal(`The identity provider has not verified ${identity.email}`);
    if (!(await planHasSso(db, request.workspaceId))) throw new SsoRefusal("Single sign-on needs the workspace's Enterprise plan");
    const role = mappedRole(connection, identity.groups);
    if (request.testBy) {
      await recordTest(
        db,
        request.workspaceId,
        { ok: true, email: identity.email, groups: identity.groups, role: role ?? connection.defaultRole },
        request.testBy,
      );
      return { kind: "tested", workspaceId: request.workspaceId };
    }
    const member = await joinBySso(db, connection, identity, role);
    const ticket = randomBytes(32).toString("base64url");
    await db
      .update(ssoRequests)
      .set({ ticketHash: hashTicket(ticket), memberId: member.id })
      .where(eq(ssoRequests.id, request.id));
    return { kind: "signed_in", ticket, workspaceId: request.workspaceId };
  } catch (err) {
    if (!(err instanceof SsoRefusal)) {
      log.error("SSO sign-in failed", { err, workspaceId: request.workspaceId });
      throw err;
    }
    if (request.testBy && found) await recordTest(db, request.workspaceId, { ok: false, error: err.message }, request.testBy);
    await db.update(ssoRequests).set({ error: err.message }).where(eq(ssoRequests.id, request.id));
    return { kind: "refused", message: err.message, requestId: request.id, testWorkspaceId };
  }
}

async function recordTest(
  db: Db,
  workspaceId: string,
  result: { ok: boolean; email?: string; groups?: string[]; role?: string; error?: string },
  testBy: string,
) {
  const at = new Date();
  await db.transaction(async (tx) => {
    await tx
      .update(ssoConnections)
      .set({ lastTest: { ...result, at: at.toISOString() }, ...(result.ok ? { testedAt: at } : {}) })
      .where(eq(ssoConnections.workspaceId, workspaceId));
    await writeAudit(tx, {
      workspaceId,
      actor: { type: "member", id: testBy },
      action: result.ok ? "sso.test_passed" : "sso.test_failed",
      targetType: "sso",
      targetId: workspaceId,
      data: result,
    });
  });
}

const RANK: Record<string, number> = { admin: 3, developer: 2, viewer: 1 };

/** The most powerful role the IdP's groups map to, or null when none of them is mapped. */
export function mappedRole(c: Pick<Connection, "roleMapping">, groups: string[]): Role | null {
  let best: Role | null = null;
  for (const g of groups) {
    const r = c.roleMapping[g];
    if (r && (SSO_ROLES as readonly string[]).includes(r) && (!best || RANK[r]! > RANK[best]!)) best = r as Role;
  }
  return best;
}

/**
 * Just-in-time membership. The member is found by e-mail (the domain is the workspace's, proven by
 * an owner's verified address) or created, verified, with no password and no workspace of their own.
 * A newcomer joins with the mapped role or the default; a member's role follows the mapping at every
 * sign-in when a group maps (owners are never changed), and stays as set otherwise.
 */
async function joinBySso(db: Db, c: Connection, identity: IdpIdentity, mapped: Role | null) {
  let [member] = await db.select().from(members).where(eq(members.email, identity.email)).limit(1);
  if (member && !member.emailVerifiedAt) member = await takeOverUnverifiedMember(db, member.id, "sso");
  if (!member) {
    [member] = await db
      .insert(members)
      .values({ id: newId("mem"), email: identity.email, name: identity.name, emailVerifiedAt: new Date() })
      .onConflictDoUpdate({ target: members.email, set: { email: sql`excluded.email` } })
      .returning();
  }
  const memberId = member!.id;
  const current = await getMemberRole(db, memberId, c.workspaceId);
  if (!current) {
    const role = mapped ?? c.defaultRole;
    await db.transaction(async (tx) => {
      const [joined] = await tx
        .insert(memberships)
        .values({ workspaceId: c.workspaceId, memberId, role })
        .onConflictDoNothing()
        .returning();
      if (joined) {
        await writeAudit(tx, {
          workspaceId: c.workspaceId,
          actor: SYSTEM,
          action: "member.sso_join",
          targetType: "member",
          targetId: memberId,
          data: { email: identity.email, role, groups: identity.groups, protocol: c.protocol },
        });
      }
    });
  } else if (mapped && current !== "owner" && current !== mapped) {
    await changeMemberRole({
      ctx: { db, workspaceId: c.workspaceId, actor: SYSTEM },
      actorRole: "owner",
      input: { memberId, role: mapped },
    });
  }
  return member!;
}

/** Why a sign-in was refused, for the page its browser lands on (null: unknown or not refused). */
export async function ssoRefusalMessage(db: Db, requestId: string): Promise<string | null> {
  if (!/^ssr_[0-9a-z]{26}$/.test(requestId)) return null;
  const [row] = await db.select({ error: ssoRequests.error }).from(ssoRequests).where(eq(ssoRequests.id, requestId)).limit(1);
  return row?.error ?? null;
}

/**
 * The next-auth `sso` provider: the callback's one-time ticket, in the browser whose cookie names
 * the same request. Returns the member to sign in, or null (used, expired, another browser's).
 */
export async function consumeSsoTicket(db: Db, ticket: string, cookieRequestId: string | null) {
  if (!ticket || !cookieRequestId) return null;
  const [row] = await db
    .update(ssoRequests)
    .set({ consumedAt: new Date() })
    .where(
      and(
        eq(ssoRequests.id, cookieRequestId),
        eq(ssoRequests.ticketHash, hashTicket(ticket)),
        isNull(ssoRequests.consumedAt),
        gt(ssoRequests.expiresAt, new Date()),
      ),
    )
    .returning({ memberId: ssoRequests.memberId });
  if (!row?.memberId) return null;
  const [member] = await db.select().from(members).where(eq(members.id, row.memberId)).limit(1);
  return member ?? null;
}
