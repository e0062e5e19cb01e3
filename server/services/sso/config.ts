import { and, eq, inArray, isNotNull, ne, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db/client";
import { members, memberships, ssoConnections, ssoDomains } from "@/db/schema";
import { env } from "@/server/env";
import { assertPublicUrl } from "@/server/lib/address-guard";
import { publicUrl } from "@/server/lib/public-url";
import { writeAudit } from "../audit/write-audit";
import type { ServiceCtx } from "../context";
import { requirePlan } from "../core/plans";
import { ConflictError, InvalidInputError, NotFoundError } from "../errors";
import { parseIdpMetadata } from "./saml-metadata";
import { sealSecret } from "./secret-box";

/** Roles SSO may give: never owner (owners are made by owners). */
export const SSO_ROLES = ["admin", "developer", "viewer"] as const;

/** Addresses anyone can get: a workspace may not claim their domains. */
const PUBLIC_MAIL_DOMAINS = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "yahoo.com",
  "icloud.com",
  "me.com",
  "aol.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "mail.com",
]);

const ZDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain such as acme.com");

const ZUrl = z
  .string()
  .trim()
  .max(2000)
  .pipe(z.url({ protocol: /^https?$/ }));

/** The body of PUT /api/v1/sso (API-2.md): the whole configuration each time; the client secret is write-only. */
export const ZSsoInput = z
  .strictObject({
    protocol: z.enum(["oidc", "saml"]),
    issuer: ZUrl.optional(),
    clientId: z.string().trim().min(1).max(500).optional(),
    clientSecret: z.string().min(1).max(2000).optional(),
    metadataXml: z.string().min(1).max(500_000).optional(),
    metadataUrl: ZUrl.optional(),
    domains: z.array(ZDomain).min(1, "name at least one e-mail domain").max(20),
    enforced: z.boolean().default(false),
    defaultRole: z.enum(SSO_ROLES).default("viewer"),
    roleMapping: z.record(z.string().trim().min(1).max(200), z.enum(SSO_ROLES)).default({}),
  })
  .superRefine((v, issue) => {
    if (v.protocol === "oidc") {
      if (!v.issuer) issue.addIssue({ code: "custom", path: ["issuer"], message: "OpenID Connect needs the issuer URL" });
      if (!v.clientId) issue.addIssue({ code: "custom", path: ["clientId"], message: "OpenID Connect needs the client id" });
      if (v.metadataXml || v.metadataUrl) issue.addIssue({ code: "custom", path: ["metadataXml"], message: "metadata is for SAML" });
    } else {
      if (!v.metadataXml === !v.metadataUrl) {
        issue.addIssue({
          code: "custom",
          path: ["metadataXml"],
          message: "SAML needs the IdP's metadata: metadataXml or metadataUrl, one of them",
        });
      }
      if (v.issuer || v.clientId || v.clientSecret)
        issue.addIssue({ code: "custom", path: ["issuer"], message: "issuer and client are for OpenID Connect" });
    }
    if (Object.keys(v.roleMapping).length > 100) issue.addIssue({ code: "custom", path: ["roleMapping"], message: "at most 100 groups" });
  });
export type SsoInput = z.input<typeof ZSsoInput>;

/** What to register at the identity provider for this workspace. */
export function serviceProvider(workspaceId: string) {
  const base = publicUrl();
  return {
    /** OIDC: the redirect URI. */
    redirectUri: `${base}/api/sso/oidc/callback`,
    /** SAML: the SP entity id (audience) and where its metadata is served. */
    entityId: `${base}/api/sso/saml/metadata/${workspaceId}`,
    metadataUrl: `${base}/api/sso/saml/metadata/${workspaceId}`,
    /** SAML: the assertion consumer service (HTTP-POST). */
    acsUrl: `${base}/api/sso/saml/acs`,
  };
}

const insecureAllowed = () => env().TOKENIST_SSO_ALLOW_INSECURE;

/** Issuer and metadata URLs: https, and public unless TOKENIST_SSO_ALLOW_INSECURE (development). */
export async function assertIdpUrl(raw: string, field: string): Promise<URL> {
  const url = new URL(raw);
  if (url.protocol !== "https:" && !insecureAllowed()) throw new InvalidInputError(`${field} must be an https URL`);
  try {
    return await assertPublicUrl(raw, AbortSignal.timeout(5000), insecureAllowed());
  } catch (err) {
    throw new InvalidInputError(`${field}: ${(err as Error).message}`);
  }
}

const MAX_METADATA_BYTES = 1_000_000;

async function fetchMetadata(raw: string): Promise<string> {
  const url = await assertIdpUrl(raw, "metadataUrl");
  let res: Response;
  try {
    res = await fetch(url, {
      redirect: "error",
      signal: AbortSignal.timeout(10_000),
      headers: { accept: "application/samlmetadata+xml, application/xml, text/xml" },
    });
  } catch (err) {
    throw new InvalidInputError(`metadataUrl could not be fetched: ${(err as Error).message}`);
  }
  if (!res.ok) throw new InvalidInputError(`metadataUrl answered ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_METADATA_BYTES) throw new InvalidInputError("metadataUrl's document is over 1 MB");
  return text;
}

type Connection = typeof ssoConnections.$inferSelect;

/** The configuration as every door shows it: never the client secret, only whether there is one. */
export function ssoView(c: Connection, domains: string[]) {
  return {
    protocol: c.protocol,
    issuer: c.issuer,
    clientId: c.clientId,
    hasClientSecret: c.clientSecretSealed !== null,
    metadataUrl: c.metadataUrl,
    metadataXml: c.metadataXml,
    idpEntityId: c.idpEntityId,
    idpSsoUrl: c.idpSsoUrl,
    domains,
    enforced: c.enforced,
    defaultRole: c.defaultRole,
    roleMapping: c.roleMapping,
    testedAt: c.testedAt,
    lastTest: c.lastTest,
    serviceProvider: serviceProvider(c.workspaceId),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
export type SsoView = ReturnType<typeof ssoView>;

export async function loadConnection(db: Queryable, workspaceId: string) {
  const [c] = await db.select().from(ssoConnections).where(eq(ssoConnections.workspaceId, workspaceId)).limit(1);
  if (!c) return null;
  const domains = await db
    .select({ d: ssoDomains.domain })
    .from(ssoDomains)
    .where(eq(ssoDomains.workspaceId, workspaceId))
    .orderBy(ssoDomains.domain);
  return { connection: c, domains: domains.map((d) => d.d) };
}

/** The workspace's SSO, or null when none is configured. */
export async function getSso({ ctx }: { ctx: ServiceCtx }): Promise<SsoView | null> {
  const found = await loadConnection(ctx.db, ctx.workspaceId);
  return found ? ssoView(found.connection, found.domains) : null;
}

/** REST: 404 when none is configured. */
export async function requireSso({ ctx }: { ctx: ServiceCtx }): Promise<SsoView> {
  const view = await getSso({ ctx });
  if (!view) throw new NotFoundError("No single sign-on is configured for this workspace (PUT /api/v1/sso configures it)");
  return view;
}

/** A domain may be claimed only where an owner of the workspace holds a verified address. */
async function assertDomainsProven(db: Queryable, workspaceId: string, domains: string[]) {
  for (const d of domains) {
    if (PUBLIC_MAIL_DOMAINS.has(d))
      throw new InvalidInputError(`domains: ${d} is a public mail provider; name your organisation's own domain`);
  }
  const owners = await db
    .select({ email: members.email })
    .from(memberships)
    .innerJoin(members, eq(members.id, memberships.memberId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner"), isNotNull(members.emailVerifiedAt)));
  const proven = new Set(owners.map((o) => o.email.split("@")[1]));
  const unproven = domains.filter((d) => !proven.has(d));
  if (unproven.length) {
    throw new InvalidInputError(
      `domains: ${unproven.join(", ")} — a domain is claimed by an owner of this workspace whose verified e-mail address is at it (invite one, or verify yours)`,
      { unproven },
    );
  }
  const taken = await db
    .select({ domain: ssoDomains.domain })
    .from(ssoDomains)
    .where(and(inArray(ssoDomains.domain, domains), ne(ssoDomains.workspaceId, workspaceId)));
  if (taken.length) throw new ConflictError(`domains: ${taken.map((t) => t.domain).join(", ")} already sign in to another workspace's SSO`);
}

/**
 * Configure (or replace) the workspace's SSO: Enterprise, an owner. The identity provider's side
 * (protocol, issuer, client, metadata, domains) changing clears the last test, and enforcing needs a
 * test sign-in of the configuration as it is (Settings' "Test sign-in"), so a typo cannot lock
 * everyone out. The client secret may be left out to keep the stored one while issuer and client stay.
 */
export async function putSso({ ctx, input }: { ctx: ServiceCtx; input: SsoInput }): Promise<SsoView> {
  const v = ZSsoInput.parse(input);
  await requirePlan(ctx, "enterprise", "Single sign-on");
  const domains = [...new Set(v.domains)].sort();
  let metadataXml: string | null = null;
  let idp: { entityId: string; ssoUrl: string; certs: string[] } | null = null;
  if (v.protocol === "saml") {
    metadataXml = v.metadataXml ?? (await fetchMetadata(v.metadataUrl!));
    idp = parseIdpMetadata(metadataXml);
    await assertIdpUrl(idp.ssoUrl, "the metadata's SingleSignOnService");
  } else {
    await assertIdpUrl(v.issuer!, "issuer");
  }
  const previous = await loadConnection(ctx.db, ctx.workspaceId);
  const old = previous?.connection;
  const sameClient = old?.protocol === "oidc" && v.protocol === "oidc" && old.issuer === v.issuer && old.clientId === v.clientId;
  const secretSealed =
    v.protocol === "oidc" ? (v.clientSecret ? sealSecret(v.clientSecret) : sameClient ? old!.clientSecretSealed : null) : null;
  if (v.protocol === "oidc" && !secretSealed) {
    throw new InvalidInputError(
      "clientSecret: OpenID Connect needs the client secret (it is kept while issuer and client id stay the same)",
    );
  }
  const idpChanged =
    !old ||
    old.protocol !== v.protocol ||
    old.issuer !== (v.issuer ?? null) ||
    old.clientId !== (v.clientId ?? null) ||
    Boolean(v.clientSecret) ||
    old.metadataXml !== metadataXml ||
    old.metadataUrl !== (v.metadataUrl ?? null) ||
    previous.domains.join(",") !== domains.join(",");
  const testedAt = idpChanged ? null : old.testedAt;
  if (v.enforced && !testedAt) {
    throw new ConflictError(
      'Test the sign-in before enforcing it: save the configuration unenforced, use "Test sign-in" in Settings, then enforce (an untested identity provider could lock every member out)',
    );
  }

  return ctx.db.transaction(async (tx) => {
    await assertDomainsProven(tx, ctx.workspaceId, domains);
    const values = {
      protocol: v.protocol,
      issuer: v.issuer ?? null,
      clientId: v.clientId ?? null,
      clientSecretSealed: secretSealed,
      metadataXml,
      metadataUrl: v.metadataUrl ?? null,
      idpEntityId: idp?.entityId ?? null,
      idpSsoUrl: idp?.ssoUrl ?? null,
      idpCerts: idp?.certs ?? null,
      enforced: v.enforced,
      defaultRole: v.defaultRole,
      roleMapping: v.roleMapping,
      testedAt,
      lastTest: idpChanged ? null : old.lastTest,
      updatedAt: new Date(),
    };
    const [saved] = await tx
      .insert(ssoConnections)
      .values({ workspaceId: ctx.workspaceId, ...values })
      .onConflictDoUpdate({ target: ssoConnections.workspaceId, set: values })
      .returning();
    await tx.delete(ssoDomains).where(eq(ssoDomains.workspaceId, ctx.workspaceId));
    await tx
      .insert(ssoDomains)
      .values(domains.map((domain) => ({ domain, workspaceId: ctx.workspaceId })))
      .onConflictDoNothing();
    const mine = await tx.select({ d: ssoDomains.domain }).from(ssoDomains).where(eq(ssoDomains.workspaceId, ctx.workspaceId));
    // A concurrent claim of the same domain by another workspace won the race.
    if (mine.length !== domains.length) throw new ConflictError("domains: one of them was just claimed by another workspace's SSO");
    const sessionsEnded = v.enforced && !old?.enforced ? await endDomainSessions(tx, ctx.workspaceId, domains) : 0;
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: old ? "sso.update" : "sso.create",
      targetType: "sso",
      targetId: ctx.workspaceId,
      data: {
        protocol: v.protocol,
        issuer: v.issuer ?? null,
        idpEntityId: idp?.entityId ?? null,
        domains,
        enforced: v.enforced,
        wasEnforced: old?.enforced ?? false,
        defaultRole: v.defaultRole,
        roleMapping: v.roleMapping,
        clientSecretChanged: Boolean(v.clientSecret),
        testCleared: idpChanged && Boolean(old?.testedAt),
        sessionsEnded,
      },
    });
    return ssoView(saved!, domains);
  });
}

/**
 * Enforcement begins: every session of the domains' members ends (their session version moves on,
 * server/auth.ts), so a password session opened before it does not outlive it; they come back
 * through the IdP. The workspace's owners keep theirs (their password is the break-glass way in).
 * Returns how many members were signed out.
 */
async function endDomainSessions(tx: Queryable, workspaceId: string, domains: string[]): Promise<number> {
  const owners = tx
    .select({ id: memberships.memberId })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "owner")));
  const ended = await tx
    .update(members)
    .set({ sessionVersion: sql`${members.sessionVersion} + 1` })
    .where(and(inArray(sql`split_part(${members.email}, '@', 2)`, domains), notInArray(members.id, owners)))
    .returning({ id: members.id });
  return ended.length;
}

/** Remove the workspace's SSO: its domains sign in with passwords and social sign-in again. */
export async function deleteSso({ ctx }: { ctx: ServiceCtx }) {
  return ctx.db.transaction(async (tx) => {
    const [gone] = await tx.delete(ssoConnections).where(eq(ssoConnections.workspaceId, ctx.workspaceId)).returning();
    if (!gone) throw new NotFoundError("No single sign-on is configured for this workspace");
    await writeAudit(tx, {
      workspaceId: ctx.workspaceId,
      actor: ctx.actor,
      action: "sso.delete",
      targetType: "sso",
      targetId: ctx.workspaceId,
      data: { protocol: gone.protocol, wasEnforced: gone.enforced },
    });
    return { deleted: true as const };
  });
}
