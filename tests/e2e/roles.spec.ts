import { mailText } from "../helpers/receivers";
import { expect, nav, shot, signIn, test, withSmtpReceiver } from "../helpers/e2e";
import { Session, signUpWithKey } from "../helpers/session";

/**
 * A developer in the dashboard: the rule, key and alert buttons are there; the member, billing
 * and settings controls are not; no `admin` scope to hand out; Settings lists every role's
 * permissions from the catalogue.
 */
const run = Date.now().toString(36);
const owner = { email: `roles-owner-${run}@example.com`, password: "correct horse battery" };
const dev = { email: `roles-dev-${run}@example.com`, password: "correct horse battery" };

const mail = withSmtpReceiver();

test("a developer manages rules, keys and alerts, not members, billing or settings", async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  let workspaceId = "";

  await test.step("the owner invites a developer, who joins", async () => {
    const signedUp = await signUpWithKey(baseURL!, owner.email, ["sdk", "read", "write", "admin"]);
    workspaceId = signedUp.workspaceId;
    const invitation = await signedUp.session.trpc("members.invite", { workspaceId, email: dev.email, role: "developer" });
    expect(invitation.status, JSON.stringify(invitation.error)).toBe(200);
    const session = new Session(baseURL!);
    expect((await session.trpc("auth.signUp", { email: dev.email, password: dev.password })).status).toBe(200);
    await session.signIn(dev.email, dev.password);
    await expect.poll(() => mail.smtp!.messages.some((m) => m.to.includes(dev.email))).toBe(true);
    const token = /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(mailText(mail.smtp!.messages.find((m) => m.to.includes(dev.email))!))![1];
    expect((await session.fetch(`/verify-email?token=${token}`)).status).toBe(200);
    const accepted = await session.trpc("members.acceptInvitation", { token: invitation.data.token });
    expect(accepted.status, JSON.stringify(accepted.error)).toBe(200);
  });

  await test.step("the developer sees what a developer may do, and only that", async () => {
    await signIn(page, dev.email, dev.password);
    await page.goto(`/w/${workspaceId}`);
    await expect(page.locator("aside").getByText("developer", { exact: true })).toBeVisible();
    await nav(page, "Rules");
    await expect(page.getByRole("button", { name: "New rule" }).first()).toBeVisible();
    await nav(page, "Blocklist");
    await expect(page.getByRole("button", { name: "Block user or org" })).toBeVisible();
    await nav(page, "API keys");
    await page.getByRole("button", { name: "Create API key" }).first().click();
    await expect(page.getByRole("checkbox")).toHaveCount(3); // sdk, read, write: never admin
    await expect(page.getByText("members, invitations and billing on /api/v1")).toHaveCount(0);
    await shot(page, "developer-create-key");
    await page.getByRole("button", { name: "Cancel" }).click();
    await nav(page, "Alerts");
    await expect(page.getByRole("button", { name: "New alert" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add channel" })).toBeVisible();
    await nav(page, "Billing");
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("button", { name: "Set plan" })).toHaveCount(0);
    await expect(page.getByText("Only an owner can change the plan.")).toBeVisible();
  });

  await test.step("Settings: read-only workspace and members, and the roles table", async () => {
    await nav(page, "Settings");
    await expect(page.getByText("You are a developer: you can see the settings but not change them.")).toBeVisible();
    await expect(page.getByRole("switch", { name: "Payload logging" })).toBeDisabled();
    await expect(page.getByRole("button", { name: "Create invitation link" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Remove" })).toHaveCount(0);
    const roles = page.getByTestId("permission-row");
    await expect(roles).toHaveCount(14);
    await expect(roles.filter({ hasText: "rules.manage" }).getByRole("img", { name: "developer may", exact: true })).toBeVisible();
    await expect(roles.filter({ hasText: "members.manage" }).getByRole("img", { name: "developer may not" })).toBeVisible();
    await expect(roles.filter({ hasText: "billing.manage" }).getByRole("img", { name: "admin may not" })).toBeVisible();
    await shot(page, "developer-settings-roles");
  });
});
