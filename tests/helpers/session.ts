/** A dashboard session over real HTTP: next-auth credentials sign-in, then tRPC calls. */
export class Session {
  private cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  }

  async fetch(path: string, init: RequestInit = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader() },
    });
    this.keep(res);
    return res;
  }

  async signIn(email: string, password: string) {
    const { csrfToken } = await (await this.fetch("/api/auth/csrf")).json();
    const res = await this.fetch("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
    });
    if (![...this.cookies.keys()].some((k) => k.includes("session-token"))) {
      throw new Error(`sign-in failed for ${email}: ${res.status}`);
    }
    return this;
  }

  /** Call a tRPC procedure; returns { status, data | error }. */
  async trpc(path: string, input?: unknown, kind: "query" | "mutation" = "mutation") {
    const res =
      kind === "query"
        ? await this.fetch(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input ?? null))}`)
        : await this.fetch(`/api/trpc/${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(input ?? null),
          });
    const body = await res.json();
    return { status: res.status, data: body.result?.data, error: body.error };
  }
}

/** Sign up a new member (own workspace) over HTTP, sign in, and create an API key. */
export async function signUpWithKey(baseUrl: string, email: string, scopes = ["sdk", "read", "write"]) {
  const session = new Session(baseUrl);
  const password = "correct horse battery";
  const signUp = await session.trpc("auth.signUp", { email, password, workspaceName: `${email} ws` });
  if (signUp.status !== 200) throw new Error(`sign-up failed: ${JSON.stringify(signUp.error)}`);
  await session.signIn(email, password);
  const key = await session.trpc("apiKeys.create", { workspaceId: signUp.data.workspaceId, name: "test", scopes });
  if (key.status !== 200) throw new Error(`key creation failed: ${JSON.stringify(key.error)}`);
  return { session, workspaceId: signUp.data.workspaceId as string, apiKey: key.data.key as string };
}
