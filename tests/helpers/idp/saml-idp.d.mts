/** Types of saml-idp.mjs (a plain-JS test identity provider, so Playwright and vitest load it as is). */
export interface SamlResponseOptions {
  acsUrl: string;
  audience: string;
  inResponseTo?: string;
  email: string;
  groups?: string[];
  nameId?: string;
  notBefore?: number;
  notOnOrAfter?: number;
  sessionNotOnOrAfter?: number;
  sign?: "assertion" | "response" | "both" | "none";
  key?: "idp" | "other";
  issuer?: string;
  destination?: string;
  status?: string;
  includeAssertion?: boolean;
}
export const IDP_CERT_PEM: string;
export function buildSamlResponse(opts: SamlResponseOptions & { entityId: string }): string;
export function startSamlIdp(opts?: { port?: number; host?: string; entityId?: string }): Promise<{
  entityId: string;
  ssoUrl: string;
  metadataUrl: string;
  metadataXml: string;
  certPem: string;
  close: () => Promise<void>;
  buildResponse: (opts: SamlResponseOptions) => string;
}>;
