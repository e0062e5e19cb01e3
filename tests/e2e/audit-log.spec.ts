import { signUpWithKey } from "../helpers/session";
import { expect, shot, signIn, test, withSmtpReceiver } from "../helpers/e2e";

/**
 * The audit log as a person reads it, in a workspace of its own: changes made with an API key and
 * in the dashboard are listed with who made them; the action filter narrows them, a row opens to
 * its details, older changes load below, and the CSV link carries the filters.
 */
const run = Date.now().toString(36);
const owner = { email: `audit-${run}@example.com`, password: "correct horse battery" };

// Sign-up mails a verification link: a local SMTP receiver takes it.
withSmtpReceiver();

test("find API and dashboard changes in the audit log, filter them and open one", async ({ page, request, baseURL }) => {
  test.setTimeout(120_000);
  const { apiKey } = await signUpWithKey(baseURL!, owner.email);
  const auth = { authorization: `Bearer ${apiKey}` };
  const rule = { scope: "user", metric: "requests", window: "day", limit: 20 };
  for (let i = 1; i <= 55; i++) {
    const res = await request.post("/api/v1/rules", { headers: auth, data: { name: `Budget ${i}`, ...rule } });
    expect(res.status(), await res.text()).toBe(201);
  }
  const block = await request.post("/api/v1/end-users/abuser/block", { headers: auth, data: { reason: "abuse" } });
  expect(block.status()).toBe(201);

  await signIn(page, owner.email, owner.password);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Audit log", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();

  const rows = page.getByTestId("audit-row");
  // Newest first: the block, made with the key (its name and first characters), then the rules.
  await expect(rows.first()).toContainText("blocklist.create");
  await expect(rows.first()).toContainText(/test \(ug_.{4}…\)/);
  await expect(rows).toHaveCount(50);
  await page.getByRole("button", { name: "Load older" }).click();
  // Further down: the key the owner made in the dashboard, labelled with their e-mail.
  await expect(rows.filter({ hasText: "api_key.create" })).toContainText(owner.email);
  expect(await rows.count()).toBeGreaterThan(56);
  await shot(page, "audit-log");

  await page.getByLabel("Action").selectOption("blocklist.create");
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole("button", { name: "Show" }).click();
  await expect(page.locator("pre")).toContainText('"subjectId": "abuser"');
  await expect(page.getByRole("link", { name: "Download CSV" })).toHaveAttribute("href", /action=blocklist\.create/);
  await shot(page, "audit-log-details");
});
