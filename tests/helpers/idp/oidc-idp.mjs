// Local OpenID Connect identity provider for SSO tests, built on panva's oidc-provider.
//
// Tests start it themselves (no external IdP, no network). It listens on plain http on 127.0.0.1 and uses
// oidc-provider's built-in development interactions: a login form where the login name becomes the account id,
// followed by a consent screen. Any login name signs in; unknown names get `email = login`.
//
// Library use:  const idp = await startOidcIdp({ clients: [{ client_id, client_secret, redirect_uris }], accounts });
// CLI use:      node tests/helpers/idp/oidc-idp.mjs --port 4555 --client id:secret:http://127.0.0.1:3000/cb \
//                 [--account alice@acme.test:groups=eng,admins[:name=Alice]]
import { generateKeyPairSync, randomBytes } from "node:crypto";

import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { listen, runAsCli, serveUntilSignal } from "./cli.mjs";
import Provider from "oidc-provider";

/** Builds the claims an account exposes; unknown logins still sign in so tests can type any address. */
function accountClaims(id, known) {
  return {
    sub: id,
    email: known?.email ?? id,
    email_verified: known?.email_verified ?? true,
    name: known?.name ?? known?.email ?? id,
    groups: known?.groups ?? [],
  };
}

/** One RS256 signing key per IdP start; tests never need a stable key across runs. */
function generateJwks() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { keys: [{ ...jwk, alg: "RS256", use: "sig", kid: randomBytes(8).toString("hex") }] };
}

/** Confidential code-flow clients; a client may opt into client_secret_post by setting token_endpoint_auth_method. */
function normalizeClients(clients) {
  return clients.map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    ...client,
  }));
}

function providerConfiguration({ clients, accounts }) {
  return {
    clients: normalizeClients(clients),
    jwks: generateJwks(),
    // Cookie signing keys are per start too; sessions never outlive the process.
    cookies: { keys: [randomBytes(32).toString("hex")] },
    async findAccount(_ctx, id) {
      const known = accounts[id];
      return {
        accountId: id,
        async claims() {
          return accountClaims(id, known);
        },
      };
    },
    scopes: ["openid", "email", "profile", "groups"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // The relying party reads email/groups straight from the ID token instead of calling userinfo.
    conformIdTokenClaims: false,
    // PKCE (S256, the only method oidc-provider supports) for every client, not just public ones.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    // Explicit lifetimes (seconds) so oidc-provider does not fall back to its defaults with a NOTICE per artifact.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
  };
}

/**
 * Starts the IdP. The server listens first so that the issuer can carry the real port when `port` is 0.
 * @returns {Promise<{ issuer: string, port: number, close: () => Promise<void> }>}
 */
export async function startOidcIdp({ port = 0, host = "127.0.0.1", clients, accounts = {} }) {
  const server = createServer();
  const issuer = await listen(server, port, host);
  const actualPort = server.address().port;

  const provider = new Provider(issuer, providerConfiguration({ clients, accounts }));
  // Plain http on loopback: never trust X-Forwarded-* headers, so oidc-provider keeps building http URLs.
  provider.proxy = false;
  server.on("request", provider.callback());

  async function close() {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(() => resolve()));
  }
  return { issuer, port: actualPort, close };
}

/** Parses `id:secret:redirect_uri`; only the first two colons split, the URI keeps its own. */
function parseClientArg(value) {
  const [clientId, clientSecret, ...rest] = value.split(":");
  const redirectUri = rest.join(":");
  if (!clientId || !clientSecret || !redirectUri) {
    throw new Error(`--client expects id:secret:redirect_uri, got "${value}"`);
  }
  return { client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri] };
}

/** Parses `login[:groups=a,b][:name=Full Name][:email=x]` into an accounts entry. */
function parseAccountArg(value) {
  const [login, ...pairs] = value.split(":");
  const account = { email: login, email_verified: true, name: login, groups: [] };
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = pair.slice(0, eq);
    const val = pair.slice(eq + 1);
    if (key === "groups") account.groups = val ? val.split(",") : [];
    else if (key === "name" || key === "email") account[key] = val;
    else throw new Error(`--account: unknown field "${key}" in "${value}"`);
  }
  return [login, account];
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      client: { type: "string", multiple: true, default: [] },
      account: { type: "string", multiple: true, default: [] },
    },
  });
  const idp = await startOidcIdp({
    port: Number(values.port),
    host: values.host,
    clients: values.client.map(parseClientArg),
    accounts: Object.fromEntries(values.account.map(parseAccountArg)),
  });
  serveUntilSignal(idp, { issuer: idp.issuer });
}

runAsCli(import.meta.url, main);
