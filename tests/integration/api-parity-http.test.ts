import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callApi, startApp, type RunningApp } from "../helpers/app-server";
import { joinByInvitation } from "../helpers/members";
import { Session } from "../helpers/session";
import { startStripeStandIn } from "../helpers/stripe-standin";

type Audit = { action: string; actor: { type: string; id: string | null }; targetId: string | null; data: Record<string, unknown> | null };

/**
 * Issue 22, API parity: what the dashboard's Settings and Billing pages do — members,
 * invitations, billing, the workspace's name and settings — through /api/v1 with an `admin`
 * key, over HTTP against the real server, with billing off and against the Stripe stand-in.
 */
describe("members, invitations, billing and workspace settings over /api/v1", () => {
  const driver = process.env.TEST_DATABASE_URL ? "postgres" : "pglite";
  let app: RunningApp; // billing off (self-hosted)
  let paid: RunningApp; // billing on, Stripe pointed at the stand-in
  let stripe: Awaited<ReturnType<typeof startStripeStandIn>>;
  let initKeyId: string;
  beforeAll(async () => {
    stripe = await startStripeStandIn();
    [app, paid] = await Promise.all([
      startApp({ driver, env: { TOKENIST_INIT_PLAN: "growth", TOKENIST_API_RATE_LIMIT: "100000" } }),
      startApp({ driver, env: { STRIPE_SECRET_KEY: "sk_test_standin", STRIPE_API_URL: stripe.url } }),
    ]);
    const keys = await callApi(app, "/api/v1/api-keys");
    initKeyId = keys.body.data.find((k: { name: string }) => k.name.startsWith("Initial key")).id;
  }, 180_000);
  afterAll(async () => {
    await Promise.all([app?.dispose(), paid?.dispose()]);
    await stripe?.close();
  });

  const audits = async (target: RunningApp, action: string): Promise<Audit[]> => {
    const res = await callApi(target, `/api/v1/audit-logs?action=${encodeURIComponent(action)}&limit=200`);
    expect(res.status).toBe(200);
    return res.body.data;
  };

  it("invites, lists and revokes an invitation; the revoked link stops working", async () => {
    const created = await callApi(app, "/api/v1/invitations", { body: { email: "Pending@Example.com", role: "viewer" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: "pending@example.com", role: "viewer" });
    expect(created.body.token).toMatch(/^inv_/);
    // The link names the configured dashboard (here none: the app's own port), never a request's Host.
    expect(created.body.url).toBe(`http://localhost:${app.env.PORT}/invite/${created.body.token}`);
    const anon = new Session(app.baseUrl);
    expect((await anon.trpc("members.previewInvitation", { token: created.body.token }, "query")).data).toMatchObject({
      email: "pending@example.com",
      role: "viewer",
    });

    const listed = await callApi(app, "/api/v1/invitations");
    expect(listed.body.data.map((i: { id: string }) => i.id)).toContain(created.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token); // the secret is shown once

    const revoked = await callApi(app, `/api/v1/invitations/${created.body.id}`, { method: "DELETE" });
    expect(revoked).toMatchObject({ status: 200, body: { id: created.body.id, revoked: true } });
    expect((await callApi(app, "/api/v1/invitations")).body.data.map((i: { id: string }) => i.id)).not.toContain(created.body.id);
    expect((await anon.trpc("members.previewInvitation", { token: created.body.token }, "query")).error?.data?.code).toBe("NOT_FOUND");
    expect((await callApi(app, `/api/v1/invitations/${created.body.id}`, { method: "DELETE" })).status).toBe(404);

    // A retried POST with the same Idempotency-Key replays the answer without the link's secret.
    const headers = { "idempotency-key": "invite-once" };
    const first = await callApi(app, "/api/v1/invitations", { body: { email: "retry@example.com" }, headers });
    const replay = await callApi(app, "/api/v1/invitations", { body: { email: "retry@example.com" }, headers });
    expect(first.body.token).toMatch(/^inv_/);
    expect(replay.body).toMatchObject({ id: first.body.id, role: "viewer", token: null, url: null });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");

    const rows = await audits(app, "invitation.*");
    for (const action of ["invitation.create", "invitation.revoke"]) {
      expect(rows.find((r) => r.action === action && r.targetId === created.body.id)?.actor).toMatchObject({
        type: "api_key",
        id: initKeyId,
      });
    }
  });

  it("a member who joined by invitation is listed, changes role and is removed; each change is audited with the key", async () => {
    const { memberId } = await joinByInvitation(app, { email: "joiner@example.com", role: "admin" });
    const members = (await callApi(app, "/api/v1/members")).body.data as Array<{ id: string; email: string; role: string }>;
    expect(members[0]).toMatchObject({ email: "owner@example.com", role: "owner" });
    expect(members.find((m) => m.id === memberId)).toMatchObject({ email: "joiner@example.com", role: "admin" });

    const demoted = await callApi(app, `/api/v1/members/${memberId}`, { method: "PATCH", body: { role: "viewer" } });
    expect(demoted).toMatchObject({ status: 200, body: { id: memberId, role: "viewer" } });
    expect((await callApi(app, "/api/v1/members")).body.data.find((m: { id: string }) => m.id === memberId).role).toBe("viewer");
    // Strict body and the workspace's last owner, as in the dashboard.
    const typo = await callApi(app, `/api/v1/members/${memberId}`, { method: "PATCH", body: { role: "viewer", rol: "owner" } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toBe('Unknown field "rol"');
    const ownerId = members[0]!.id;
    const lastOwner = await callApi(app, `/api/v1/members/${ownerId}`, { method: "PATCH", body: { role: "admin" } });
    expect(lastOwner.status).toBe(409);

    const removed = await callApi(app, `/api/v1/members/${memberId}`, { method: "DELETE" });
    expect(removed).toMatchObject({ status: 200, body: { id: memberId, removed: true } });
    expect((await callApi(app, "/api/v1/members")).body.data.map((m: { id: string }) => m.id)).not.toContain(memberId);
    expect((await callApi(app, `/api/v1/members/${memberId}`, { method: "DELETE" })).status).toBe(404);

    const rows = await audits(app, "member.*");
    expect(rows.find((r) => r.action === "member.role" && r.targetId === memberId)).toMatchObject({
      actor: { type: "api_key", id: initKeyId },
      data: { from: "admin", to: "viewer" },
    });
    expect(rows.find((r) => r.action === "member.remove" && r.targetId === memberId)).toMatchObject({
      actor: { type: "api_key", id: initKeyId },
      data: { role: "viewer" },
    });
  });

  it("an admin's `admin` key does what an admin may in the dashboard, no more; viewers and lesser keys cannot get one", async () => {
    const admin = await joinByInvitation(app, { email: "deputy@example.com", role: "admin" });
    const viewer = await joinByInvitation(app, { email: "watcher@example.com", role: "viewer" });
    const workspaceId = (await callApi(app, "/api/v1/workspace")).body.id as string;
    const minted = await admin.session.trpc("apiKeys.create", { workspaceId, name: "deputy's admin key", scopes: ["read", "admin"] });
    expect(minted.status).toBe(200);
    const deputy = { baseUrl: app.baseUrl, apiKey: minted.data.key as string };

    // What an admin may: list, invite a viewer or an admin, change a viewer's role.
    expect((await callApi(deputy, "/api/v1/members")).status).toBe(200);
    const invited = await callApi(deputy, "/api/v1/invitations", { body: { email: "helper@example.com", role: "admin" } });
    expect(invited.status).toBe(201);
    const ownerId = (await callApi(app, "/api/v1/members")).body.data[0].id as string;
    // What only an owner may: the owner role, and billing.
    const ownerInvite = await callApi(deputy, "/api/v1/invitations", { body: { email: "boss@example.com", role: "owner" } });
    expect(ownerInvite.status).toBe(403);
    expect(ownerInvite.body.error.message).toBe("Only an owner can invite an owner");
    expect((await callApi(deputy, `/api/v1/members/${ownerId}`, { method: "PATCH", body: { role: "viewer" } })).status).toBe(403);
    expect((await callApi(deputy, `/api/v1/members/${viewer.memberId}`, { method: "PATCH", body: { role: "owner" } })).status).toBe(403);
    expect((await callApi(deputy, `/api/v1/members/${ownerId}`, { method: "DELETE" })).status).toBe(403);
    const checkout = await callApi(deputy, "/api/v1/billing/checkout", { body: { plan: "starter" } });
    expect(checkout.status).toBe(403);
    expect(checkout.body.error.message).toMatch(/^Only an owner can do this/);
    expect((await callApi(deputy, "/api/v1/billing/portal", { method: "POST" })).status).toBe(403);
    expect((await callApi(deputy, "/api/v1/billing")).status).toBe(200); // reading is an admin's, as in the dashboard
    const promoted = await callApi(deputy, `/api/v1/members/${viewer.memberId}`, { method: "PATCH", body: { role: "admin" } });
    expect(promoted).toMatchObject({ status: 200, body: { role: "admin" } });
    expect((await callApi(deputy, `/api/v1/members/${viewer.memberId}`, { method: "PATCH", body: { role: "viewer" } })).status).toBe(200);

    // A viewer mints no key at all, an admin key least of all; a key without `admin` cannot mint one.
    const viewerKey = await viewer.session.trpc("apiKeys.create", { workspaceId, name: "escalate", scopes: ["admin"] });
    expect(viewerKey.error?.data?.code).toBe("FORBIDDEN");
    const rw = await callApi(app, "/api/v1/api-keys", { body: { name: "rw", scopes: ["sdk", "read", "write"] } });
    const escalate = await callApi({ baseUrl: app.baseUrl, apiKey: rw.body.key }, "/api/v1/api-keys", {
      body: { name: "escalate", scopes: ["admin"] },
    });
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.message).toContain('lacks "admin"');

    // Demoting the admin takes their key along.
    expect((await callApi(app, `/api/v1/members/${admin.memberId}`, { method: "PATCH", body: { role: "viewer" } })).status).toBe(200);
    expect((await callApi(deputy, "/api/v1/members")).status).toBe(401);
  });

  it("a key without the `admin` scope gets 403 on every member, invitation and billing route", async () => {
    const rw = await callApi(app, "/api/v1/api-keys", { body: { name: "no admin", scopes: ["sdk", "read", "write"] } });
    const key = rw.body.key as string;
    const routes: Array<[string, string, unknown?]> = [
      ["GET", "/api/v1/members"],
      ["PATCH", "/api/v1/members/mem_x", { role: "viewer" }],
      ["DELETE", "/api/v1/members/mem_x"],
      ["GET", "/api/v1/invitations"],
      ["POST", "/api/v1/invitations", { email: "x@example.com" }],
      ["DELETE", "/api/v1/invitations/inv_x"],
      ["GET", "/api/v1/billing"],
      ["POST", "/api/v1/billing/checkout", { plan: "starter" }],
      ["POST", "/api/v1/billing/portal"],
    ];
    for (const [method, path, body] of routes) {
      const res = await callApi(app, path, { method, body, key });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toMatchObject({ code: "forbidden", message: 'This API key lacks the "admin" scope' });
    }
    // Workspace settings stay `write` (as before this round): a read-only key is refused.
    const read = await callApi(app, "/api/v1/api-keys", { body: { name: "read only", scopes: ["read"] } });
    const patch = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { name: "Nope" }, key: read.body.key });
    expect(patch.status).toBe(403);
    expect((await callApi(app, "/api/v1/invitations")).body.data.map((i: { email: string }) => i.email)).not.toContain("x@example.com");
  });

  it("billing off: the overview reads, checkout and portal answer 404 in the error shape, as the dashboard does", async () => {
    const billing = await callApi(app, "/api/v1/billing");
    expect(billing.status).toBe(200);
    expect(billing.body).toMatchObject({
      billingEnabled: false,
      plan: "growth",
      effectivePlan: "growth",
      status: null,
      trialEndsAt: null,
      includedRequests: 750_000,
      hardCap: false,
      overageUsd: 0,
    });
    expect(billing.body.requests).toBeGreaterThanOrEqual(0);
    for (const [path, body] of [
      ["/api/v1/billing/checkout", { plan: "growth" }],
      ["/api/v1/billing/portal", undefined],
    ] as const) {
      const res = await callApi(app, path, { method: "POST", body });
      expect(res.status, path).toBe(404);
      expect(res.body.error).toMatchObject({ code: "not_found", message: expect.stringMatching(/^Billing is off/) });
    }
  });

  it("billing on: checkout and portal answer Stripe's links; the checkout is the workspace's, with its trial, and audited", async () => {
    const before = await callApi(paid, "/api/v1/billing");
    expect(before.body).toMatchObject({
      billingEnabled: true,
      plan: "free",
      status: null,
      includedRequests: expect.any(Number),
      hardCap: true,
    });
    const workspaceId = (await callApi(paid, "/api/v1/workspace")).body.id as string;

    const bad = await callApi(paid, "/api/v1/billing/checkout", { body: { plan: "platinum" } });
    expect(bad.status).toBe(400);
    const checkout = await callApi(paid, "/api/v1/billing/checkout", { body: { plan: "starter" } });
    expect(checkout.status).toBe(200);
    expect(checkout.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const session = stripe.store.sessions.find((s) => s.url === checkout.body.url);
    expect(session).toMatchObject({ mode: "subscription", client_reference_id: workspaceId, metadata: { plan: "starter" } });
    expect(session.subscription_data.trial_period_days).toBe("14");

    const portal = await callApi(paid, "/api/v1/billing/portal", { method: "POST" });
    expect(portal).toMatchObject({ status: 200, body: { url: "https://billing.stripe.test/p" } });
    const customer = stripe.requests.findLast((r) => r.path === "/v1/billing_portal/sessions")!.params.customer;
    expect(stripe.store.customers.find((c) => c.id === customer)?.metadata).toEqual({ workspaceId });

    expect((await audits(paid, "billing.checkout")).find((r) => r.targetId === workspaceId)).toMatchObject({
      actor: { type: "api_key" },
      data: { plan: "starter", trial: true },
    });
  });

  it("PATCH /api/v1/workspace renames and changes a setting, strictly, with audit rows", async () => {
    const patched = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { name: "Renamed by API", payloadLogging: true } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Renamed by API", payloadLogging: true });
    expect((await callApi(app, "/api/v1/workspace")).body).toMatchObject({ name: "Renamed by API", payloadLogging: true });
    const typo = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { nmae: "Oops" } });
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toBe('Unknown field "nmae"');
    const empty = await callApi(app, "/api/v1/workspace", { method: "PATCH", body: { name: "   " } });
    expect(empty.status).toBe(400);
    expect((await callApi(app, "/api/v1/workspace")).body.name).toBe("Renamed by API");

    const rows = await audits(app, "workspace.*");
    expect(rows.find((r) => r.action === "workspace.rename")).toMatchObject({
      actor: { type: "api_key", id: initKeyId },
      data: { name: "Renamed by API" },
    });
    expect(rows.find((r) => r.action === "workspace.settings" && r.data?.payloadLogging === true)).toMatchObject({
      actor: { type: "api_key", id: initKeyId },
    });
  });
});
