import { type CacheProvider, SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import { DOMParser } from "@xmldom/xmldom";
import * as oidc from "openid-client";
import type { ssoConnections } from "@/db/schema";
import { env } from "@/server/env";
import { InvalidInputError } from "../errors";
import { assertIdpUrl, serviceProvider } from "./config";
import { openSecret } from "./secret-box";

type Connection = typeof ssoConnections.$inferSelect;

/** What an identity provider said about the person signing in. */
export interface IdpIdentity {
  email: string;
  /** False only when the IdP says outright that it has not verified the address. */
  emailVerified: boolean;
  name: string | null;
  groups: string[];
}

/** A refusal of the IdP's answer (bad signature, audience, expiry, missing e-mail…) or of a start: shown to the person signing in (a 400 at a door). */
export class SsoRefusal extends InvalidInputError {}

// ─── OpenID Connect (openid-client) ─────────────────────────────────────────

const discovered = new Map<string, { at: number; config: Promise<oidc.Configuration> }>();
const DISCOVERY_TTL_MS = 10 * 60_000;

/** The IdP's discovery document, fetched once per 10 minutes per (issuer, client, secret). */
async function oidcConfig(c: Connection): Promise<oidc.Configuration> {
  const secret = openSecret(c.clientSecretSealed!);
  const key = `${c.issuer}\n${c.clientId}\n${c.clientSecretSealed}`;
  const hit = discovered.get(key);
  if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const insecure = env().TOKENIST_SSO_ALLOW_INSECURE;
  const config = assertIdpUrl(c.issuer!, "issuer").then((url) =>
    oidc.discovery(url, c.clientId!, secret, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined),
  );
  discovered.set(key, { at: Date.now(), config });
  config.catch(() => discovered.delete(key));
  return config;
}

/** `loginHint`: the address typed on our sign-in page, so the IdP can skip asking for it. */
export async function oidcAuthorizationUrl(c: Connection, loginHint?: string) {
  const config = await oidcConfig(c).catch((err: Error) => {
    throw new SsoRefusal(`The identity provider's discovery document could not be read (${err.message})`);
  });
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const supported = config.serverMetadata().scopes_supported ?? [];
  const scope = ["openid", "email", "profile", ...(supported.includes("groups") ? ["groups"] : [])].join(" ");
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: serviceProvider(c.workspaceId).redirectUri,
    scope,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...(loginHint ? { login_hint: loginHint } : {}),
  });
  return { url: url.href, state, nonce, codeVerifier };
}

const asGroups = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((g): g is string => typeof g === "string") : typeof v === "string" && v ? [v] : [];

/** The callback: code → tokens (PKCE, state, nonce, the ID token's signature, issuer, audience and expiry checked by openid-client). */
export async function oidcIdentity(
  c: Connection,
  callbackSearch: string,
  expected: { state: string; nonce: string | null; codeVerifier: string | null },
) {
  const config = await oidcConfig(c);
  const current = new URL(serviceProvider(c.workspaceId).redirectUri);
  current.search = callbackSearch;
  let claims: oidc.IDToken | undefined;
  let userinfo: Record<string, unknown> = {};
  try {
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      expectedState: expected.state,
      expectedNonce: expected.nonce ?? undefined,
      pkceCodeVerifier: expected.codeVerifier ?? undefined,
      idTokenExpected: true,
    });
    claims = tokens.claims();
    // Some IdPs put e-mail and groups in userinfo only.
    if (claims && (typeof claims.email !== "string" || claims.groups === undefined) && config.serverMetadata().userinfo_endpoint) {
      userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, claims.sub).catch(() => ({}))) as Record<string, unknown>;
    }
  } catch (err) {
    throw new SsoRefusal(`The identity provider's answer was not accepted: ${(err as Error).message}`);
  }
  const all = { ...userinfo, ...claims } as Record<string, unknown>;
  if (typeof all.email !== "string" || !all.email.includes("@"))
    throw new SsoRefusal("The identity provider sent no e-mail address (ask for the email scope)");
  return {
    email: all.email.trim().toLowerCase(),
    emailVerified: all.email_verified !== false,
    name: typeof all.name === "string" ? all.name : null,
    groups: asGroups(all.groups),
  } satisfies IdpIdentity;
}

// ─── SAML 2.0 (node-saml) ───────────────────────────────────────────────────

/**
 * node-saml keeps the ids of the AuthnRequests it sent in a cache provider to check InResponseTo.
 * Ours is the sign-in's own row: on the way out it captures the id (stored as the request's state),
 * on the way back it knows exactly that one id, so an answer to any other request — or an
 * IdP-initiated one, with no InResponseTo — is refused, whichever process receives it.
 */
function oneRequestCache(expected?: string): CacheProvider & { saved?: string } {
  const cache: CacheProvider & { saved?: string } = {
    async saveAsync(key, value) {
      cache.saved = key;
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      return key === expected ? new Date().toISOString() : null;
    },
    async removeAsync(key) {
      return key;
    },
  };
  return cache;
}

function saml(c: Connection, cacheProvider: CacheProvider) {
  const sp = serviceProvider(c.workspaceId);
  return new SAML({
    entryPoint: c.idpSsoUrl!,
    issuer: sp.entityId,
    audience: sp.entityId,
    callbackUrl: sp.acsUrl,
    idpCert: c.idpCerts!,
    idpIssuer: c.idpEntityId ?? undefined,
    // The assertion itself must be signed: a signed envelope around an unsigned assertion is not enough.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider,
    acceptedClockSkewMs: 60_000,
    identifierFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    disableRequestedAuthnContext: true,
  });
}

export async function samlAuthorizationUrl(c: Connection, relayState: string) {
  const cache = oneRequestCache();
  const url = await saml(c, cache).getAuthorizeUrlAsync(relayState, undefined, {});
  if (!cache.saved) throw new Error("node-saml did not report the AuthnRequest's id");
  return { url, requestId: cache.saved };
}

const EMAIL_ATTRIBUTES = [
  "email",
  "mail",
  "urn:oid:0.9.2342.19200300.100.1.3",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
];
const GROUP_ATTRIBUTES = [
  "groups",
  "memberOf",
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
  "urn:oid:1.3.6.1.4.1.5923.1.5.1.1",
];
const NAME_ATTRIBUTES = ["name", "displayName", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"];

const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";

/** The (already validated) Response's top-level StatusCode and Destination. */
function responseEnvelope(profile: Record<string, unknown>): { status: string | null; destination: string | null } {
  const xml = typeof profile.getSamlResponseXml === "function" ? (profile.getSamlResponseXml as () => string)() : null;
  const root = xml ? new DOMParser().parseFromString(xml, "text/xml").documentElement : null;
  const status = root?.getElementsByTagNameNS(PROTOCOL, "Status")[0];
  return {
    status: status?.getElementsByTagNameNS(PROTOCOL, "StatusCode")[0]?.getAttribute("Value") ?? null,
    destination: root?.getAttribute("Destination") || null,
  };
}

/** The ACS: node-saml checks the signature against the metadata's certificates, the audience, the times and InResponseTo. */
export async function samlIdentity(c: Connection, samlResponse: string, requestId: string): Promise<IdpIdentity> {
  let profile: Record<string, unknown> | null;
  try {
    ({ profile } = (await saml(c, oneRequestCache(requestId)).validatePostResponseAsync({ SAMLResponse: samlResponse })) as {
      profile: Record<string, unknown> | null;
    });
  } catch (err) {
    throw new SsoRefusal(`The identity provider's answer was not accepted: ${(err as Error).message}`);
  }
  if (!profile) throw new SsoRefusal("The identity provider's answer carried no assertion");
  // node-saml checks neither of these for a login response: the assertion must come from the IdP the
  // metadata names, and a Response whose status is not Success is a refusal even with an assertion.
  if (c.idpEntityId && profile.issuer !== c.idpEntityId) {
    throw new SsoRefusal(`The assertion was issued by ${String(profile.issuer)}, not by this workspace's identity provider`);
  }
  const envelope = responseEnvelope(profile);
  if (envelope.status !== SUCCESS) throw new SsoRefusal(`The identity provider answered ${envelope.status ?? "without a status"}`);
  const acsUrl = serviceProvider(c.workspaceId).acsUrl;
  if (envelope.destination && envelope.destination !== acsUrl)
    throw new SsoRefusal(`The answer was addressed to ${envelope.destination}, not to ${acsUrl}`);
  const first = (names: string[]) => names.map((n) => profile![n]).find((v) => v !== undefined && v !== null && v !== "");
  const email = [first(EMAIL_ATTRIBUTES), profile.nameID].find((v): v is string => typeof v === "string" && v.includes("@"));
  if (!email) throw new SsoRefusal("The identity provider sent no e-mail address (an email attribute or an e-mail NameID)");
  const name = first(NAME_ATTRIBUTES);
  return {
    email: email.trim().toLowerCase(),
    emailVerified: true,
    name: typeof name === "string" ? name : null,
    groups: asGroups(first(GROUP_ATTRIBUTES)),
  };
}

/** The SP metadata an IdP admin imports (entity id, ACS, NameID format). */
export function samlServiceProviderMetadata(workspaceId: string): string {
  const sp = serviceProvider(workspaceId);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(sp.entityId)}">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="false" WantAssertionsSigned="true">
    <NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat>
    <AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(sp.acsUrl)}"/>
  </SPSSODescriptor>
</EntityDescriptor>
`;
}
