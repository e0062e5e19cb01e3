import { boolean, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { members, ROLES } from "./members";
import { workspaces } from "./workspaces";

export const SSO_PROTOCOLS = ["oidc", "saml"] as const;
export type SsoProtocol = (typeof SSO_PROTOCOLS)[number];

/**
 * A workspace's single sign-on (Enterprise): one identity provider, OpenID Connect or SAML 2.0
 * (server/services/sso). The OIDC client secret is sealed with the auth secret (server/lib/secret-box.ts)
 * and never read back through any door. For SAML the IdP's metadata is kept as given and the parts
 * sign-in needs (entity id, SSO URL, signing certificates) are parsed out once, when it is saved.
 */
export const ssoConnections = pgTable("sso_connections", {
  workspaceId: text("workspace_id")
    .primaryKey()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  protocol: text("protocol", { enum: SSO_PROTOCOLS }).notNull(),
  issuer: text("issuer"),
  clientId: text("client_id"),
  clientSecretSealed: text("client_secret_sealed"),
  metadataXml: text("metadata_xml"),
  metadataUrl: text("metadata_url"),
  idpEntityId: text("idp_entity_id"),
  idpSsoUrl: text("idp_sso_url"),
  /** PEM certificates the IdP signs with (metadata's KeyDescriptor use="signing"). */
  idpCerts: jsonb("idp_certs").$type<string[]>(),
  enforced: boolean("enforced").notNull().default(false),
  defaultRole: text("default_role", { enum: ROLES }).notNull().default("viewer"),
  /** IdP group → role, applied at every SSO sign-in (never owner). */
  roleMapping: jsonb("role_mapping").$type<Record<string, string>>().notNull().default({}),
  /** The last successful test sign-in for this configuration; cleared by every change to it. Enforcing needs one. */
  testedAt: timestamp("tested_at", { withTimezone: true }),
  /** What the last test sign-in saw or why it failed, for Settings. */
  lastTest: jsonb("last_test").$type<{ ok: boolean; at: string; email?: string; groups?: string[]; role?: string; error?: string }>(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The e-mail domains a workspace's SSO answers for: a domain belongs to one workspace at most
 * ("Continue with SSO" finds the workspace by it), and only one where an owner of the workspace holds a
 * verified address may be claimed.
 */
export const ssoDomains = pgTable(
  "sso_domains",
  {
    domain: text("domain").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => ssoConnections.workspaceId, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sso_domains_workspace_id_idx").on(t.workspaceId)],
);

/**
 * One SSO sign-in in flight, from the redirect to the identity provider to the session: its state,
 * nonce and PKCE verifier (OIDC) or AuthnRequest id (SAML), bound to the browser that started it by
 * a cookie holding `id`. The callback stores a one-time ticket (hashed) and the member it signed in;
 * the next-auth `sso` provider consumes it once. Rows expire after 10 minutes.
 */
export const ssoRequests = pgTable(
  "sso_requests",
  {
    id: text("id").primaryKey(), // ssr_...
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    protocol: text("protocol", { enum: SSO_PROTOCOLS }).notNull(),
    /** OIDC state, or the SAML AuthnRequest's ID (InResponseTo). */
    state: text("state").notNull(),
    nonce: text("nonce"),
    codeVerifier: text("code_verifier"),
    /** A test sign-in by an owner from Settings: reports what the IdP sent, changes no membership, starts no session. */
    testBy: text("test_by").references(() => members.id, { onDelete: "cascade" }),
    ticketHash: text("ticket_hash"),
    memberId: text("member_id").references(() => members.id, { onDelete: "cascade" }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** Why the sign-in was refused (bad signature, audience, domain…), shown on the page the browser lands on. */
    error: text("error"),
    consumedAt: timestamp("consumed_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sso_requests_expires_at_idx").on(t.expiresAt)],
);
