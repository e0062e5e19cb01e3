/** Types of oidc-idp.mjs (panva's oidc-provider with its dev login and consent pages). */
export function startOidcIdp(opts: {
  port?: number;
  host?: string;
  clients: Array<{ client_id: string; client_secret: string; redirect_uris: string[]; token_endpoint_auth_method?: string }>;
  accounts?: Record<string, { email?: string; email_verified?: boolean; name?: string; groups?: string[] }>;
}): Promise<{ issuer: string; port: number; close: () => Promise<void> }>;
