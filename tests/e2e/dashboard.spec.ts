import type { APIRequestContext } from "@playwright/test";
import { E2E_SMTP_PORT } from "../../playwright.config";
import { mailText, startSmtpServer } from "../helpers/receivers";
import { awaitingStreamedParts, expect, nav, shot, test } from "../helpers/e2e";

/**
 * The dashboard as a person uses it, in Debian's Chromium against the built app:
 * sign up → API key → traffic → Overview and the end user's page → a rule refuses the user →
 * lifted from the UI → block and unblock from the user's page. Screenshots of every page.
 */
const run = Date.now().toString(36);
const owner = { email: `owner-${run}@example.com`, password: "correct horse battery" };
const viewer = { email: `viewer-${run}@example.com`, password: "correct horse battery" };
const ALICE = `alice_${run}`;

async function check(request: APIRequestContext, key: string, userId: string) {
  const res = await request.post("/sdk/check", { headers: { authorization: `Bearer ${key}` }, data: { userId, feature: "support-bot" } });
  expect(res.status()).toBe(200);
  return (await res.json()) as { allowed: boolean; reason: string | null };
}

// Where the app mails verification links (playwright.config.ts points SMTP_URL here).
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
test.beforeAll(async () => {
  smtp = await startSmtpServer(E2E_SMTP_PORT);
});
test.afterAll(() => smtp?.close());

test("sign up, send traffic, see it, limit a user, lift it, block and unblock", async ({ page, request, browser }) => {
  test.setTimeout(240_000);
  let apiKey = "";
  let base = "";

  await test.step("sign up creates a workspace on the free plan", async () => {
    await page.goto("/sign-up");
    await shot(page, "sign-up");
    await page.getByLabel("Work e-mail").fill(owner.email);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByLabel("Workspace name").fill("E2E Robots");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/w\/ws_[0-9a-z]+$/);
    base = new URL(page.url()).pathname;
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
    await expect(page.getByText("No traffic in this range")).toBeVisible();
    await expect(page.locator("aside").getByText("free", { exact: true })).toBeVisible();
    await shot(page, "overview-empty");
  });

  await test.step("create an API key; it is shown once", async () => {
    await nav(page, "API keys");
    await page.getByRole("button", { name: "Create API key" }).first().click();
    await page.getByLabel("Name").fill("e2e backend");
    await page.getByRole("button", { name: "Create key" }).click();
    const shown = page.getByTestId("new-api-key");
    await expect(shown).toHaveText(/^ug_[A-Za-z0-9]{32}$/);
    apiKey = (await shown.textContent())!.trim();
    await shot(page, "api-key-created");
    await page.getByRole("button", { name: "I have copied it" }).click();
    await expect(page.getByTestId("api-key-row")).toHaveCount(1);
    await expect(page.getByText(apiKey)).toHaveCount(0);
    await shot(page, "api-keys");
  });

  await test.step("turn payload logging on in Settings", async () => {
    await nav(page, "Settings");
    const toggle = page.getByRole("switch", { name: "Payload logging" });
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "true");
  });

  await test.step("traffic recorded with that key", async () => {
    const calls = [
      {
        userId: ALICE,
        orgId: "org_e2e",
        feature: "support-bot",
        model: "gpt-4o",
        input: "How do I reset my password?",
        output: "Use the reset link.",
      },
      { userId: ALICE, feature: "support-bot", model: "gpt-4o-mini" },
      { userId: ALICE, feature: "summarizer", model: "gpt-4o-mini" },
      { userId: ALICE, feature: "summarizer", model: "gpt-4o" },
      { userId: "bob_e2e", feature: "support-bot", model: "gpt-4o-mini" },
      { userId: "bob_e2e", feature: "search", model: "my-finetune-v1" },
    ];
    for (const [i, call] of calls.entries()) {
      const res = await request.post("/sdk/record", {
        headers: { authorization: `Bearer ${apiKey}` },
        data: { ...call, requestId: `e2e-${run}-${i}`, usage: { prompt_tokens: 1200 + i * 100, completion_tokens: 300 } },
      });
      expect(res.status()).toBe(200);
    }
  });

  await test.step("the Overview shows it", async () => {
    await page.goto(base);
    await expect(page.getByText("Top end users")).toBeVisible();
    const topUsers = page.locator("div.rounded-xl", { has: page.getByText("Top end users") });
    await expect(topUsers.getByRole("link", { name: ALICE })).toBeVisible();
    await expect(page.getByTestId("stat-requests")).toContainText("6");
    await expect(page.getByTestId("stat-unpriced-requests")).toContainText("1");
    await shot(page, "overview");
  });

  await test.step("the end user's page shows it", async () => {
    await nav(page, "End users");
    await expect(page.getByRole("link", { name: ALICE })).toBeVisible();
    await shot(page, "end-users");
    await page.getByRole("link", { name: ALICE }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText(ALICE);
    await expect(page.getByTestId("stat-requests-all-time-")).toContainText("4");
    await expect(page.getByTestId("event-row")).toHaveCount(4);
    await expect(page.getByTestId("user-labels")).toBeVisible();
    await shot(page, "end-user");
  });

  await test.step("Logs: filters in the URL and the payload viewer", async () => {
    await nav(page, "Logs");
    await expect(page.getByTestId("event-row")).toHaveCount(6);
    await page.getByLabel("Feature").selectOption("summarizer");
    await expect(page).toHaveURL(/feature=summarizer/);
    await expect(page.getByTestId("event-row")).toHaveCount(2);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect(page.getByTestId("event-row")).toHaveCount(6);
    await page.getByLabel("Model").selectOption("gpt-4o");
    await expect(page).toHaveURL(/model=gpt-4o(&|$)/);
    await expect(page.getByTestId("event-row")).toHaveCount(2);
    await expect(page.getByTestId("event-row").last()).toContainText("support-bot");
    await shot(page, "logs");
    await page.getByTestId("event-row").last().click();
    await expect(page.getByTestId("payload-viewer")).toContainText("How do I reset my password?");
    await shot(page, "logs-payload");
    await page.keyboard.press("Escape");
  });

  await test.step("Features attribute the cost", async () => {
    await nav(page, "Features");
    await expect(page.getByRole("link", { name: "summarizer" })).toBeVisible();
    await shot(page, "features");
  });

  await test.step("a rule created in the UI refuses the user at /sdk/check", async () => {
    expect((await check(request, apiKey, ALICE)).allowed).toBe(true);
    await nav(page, "Rules");
    await expect(page.getByText("No rules yet")).toBeVisible();
    await page.getByRole("button", { name: "New rule" }).click();
    await page.getByLabel("Name").fill("Alice: 3 requests a day");
    await page.getByLabel("Scope").selectOption("user");
    await page.getByLabel("Match").fill(ALICE);
    await page.getByLabel("Metric").selectOption("requests");
    await page.getByLabel("Window").selectOption("day");
    await page.getByLabel("Limit").fill("3");
    await page.getByRole("button", { name: "Create rule" }).click();
    await expect(page.getByTestId("rule-row")).toHaveCount(1);
    await shot(page, "rules");
    expect(await check(request, apiKey, ALICE)).toMatchObject({ allowed: false, reason: "limit_exceeded" });
    expect((await check(request, apiKey, "bob_e2e")).allowed).toBe(true);
  });

  await test.step("Billing: with billing off, the owner sets the plan by hand", async () => {
    await nav(page, "Billing");
    await expect(page.getByText("Billing is off on this server")).toBeVisible();
    await expect(page.getByTestId("billing-requests")).toContainText("/ 25,000 requests");
    await page.getByLabel("Plan").selectOption("starter");
    await page.getByRole("button", { name: "Set plan" }).click();
    await expect(page.locator("aside").getByText("starter", { exact: true })).toBeVisible();
    await expect(page.getByTestId("billing-requests")).toContainText("/ 150,000 requests");
    await shot(page, "billing");
  });

  await test.step("Labels & policies: default policies listed, a custom label added", async () => {
    await nav(page, "Labels & policies");
    await expect(page.getByTestId("policy-row").first()).toBeVisible();
    await page.getByLabel("New label").fill("refund_request");
    await page.getByLabel("What it means").fill("The user asks for their money back");
    await page.getByRole("button", { name: "Add label" }).click();
    await expect(page.getByText("The user asks for their money back", { exact: true })).toBeVisible();
    // A tool-results policy: the form fixes its label and count, and offers only refuse or alert.
    await page.getByRole("button", { name: "New policy" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Injected pages");
    await page.getByLabel("Stage", { exact: true }).selectOption("content");
    await expect(page.getByLabel("Label", { exact: true })).toBeDisabled();
    await expect(page.getByLabel("Label", { exact: true })).toHaveValue("jailbreak");
    await expect(page.getByLabel("Times", { exact: true })).toHaveValue("1");
    await expect(page.getByLabel("Then", { exact: true }).locator("option")).toHaveText(["Refuse the call", "Alert only"]);
    await page.getByLabel("Then", { exact: true }).selectOption("alert");
    await page.getByRole("button", { name: "Create policy" }).click();
    await expect(page.getByText("in a call's tool results → alert (at most once per 1 h and user)")).toBeVisible();
    await shot(page, "labels");
  });

  await test.step("an alert at 80% and 100% of the rule, sent by e-mail", async () => {
    await nav(page, "Alerts");
    await page.getByRole("button", { name: "Add channel" }).click();
    await page.getByLabel("Name").fill("On-call");
    await page.getByLabel("Addresses").fill("oncall@example.com");
    await page.getByRole("button", { name: "Add channel" }).last().click();
    await expect(page.getByRole("cell", { name: "oncall@example.com" })).toBeVisible();
    await page.getByRole("button", { name: "New alert" }).click();
    await page.getByLabel("Name").fill("Alice near her cap");
    await page.getByRole("button", { name: "Create alert" }).click();
    await expect(page.getByRole("cell", { name: '80%, 100% of "Alice: 3 requests a day"' })).toBeVisible();
    await shot(page, "alerts");
    await nav(page, "Rules");
  });

  await test.step("switching the rule off in the UI lets the user through again", async () => {
    const toggle = page.getByRole("switch", { name: "Enable Alice: 3 requests a day" });
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    expect((await check(request, apiKey, ALICE)).allowed).toBe(true);
  });

  await test.step("block from the user's page, then unblock", async () => {
    await page.goto(`${base}/users/${ALICE}`);
    await page.getByRole("button", { name: "Block user" }).click();
    await page.getByLabel("Reason").fill("e2e: too chatty");
    await page.getByLabel("Expires").selectOption("24h");
    await page.getByRole("button", { name: "Block", exact: true }).click();
    await expect(page.getByTestId("block-card")).toContainText("e2e: too chatty");
    await shot(page, "end-user-blocked");
    expect(await check(request, apiKey, ALICE)).toMatchObject({ allowed: false, reason: "blocked" });
    await nav(page, "Blocklist");
    await expect(page.getByTestId("block-row")).toHaveCount(1);
    await shot(page, "blocklist");
    await page.getByRole("link", { name: ALICE }).click();
    await page.getByRole("button", { name: "Unblock user" }).click();
    await expect(page.getByTestId("block-card")).toContainText("No active block");
    expect((await check(request, apiKey, ALICE)).allowed).toBe(true);
  });

  await test.step("a viewer joins by invitation link and sees no mutation controls", async () => {
    await nav(page, "Settings");
    await page.getByLabel("Invite by e-mail").fill(viewer.email);
    await page.getByLabel("Invite role").selectOption("viewer");
    await page.getByRole("button", { name: "Create invitation link" }).click();
    const link = (await page.getByTestId("invite-link").textContent())!.trim();
    await shot(page, "settings");

    const context = await browser.newContext();
    const vp = awaitingStreamedParts(await context.newPage());
    await vp.goto(link);
    await expect(vp.getByRole("heading", { name: "Join E2E Robots" })).toBeVisible();
    await vp.getByRole("link", { name: "Create an account" }).click();
    await expect(vp.getByLabel("Work e-mail")).toHaveValue(viewer.email);
    await vp.getByLabel("Password").fill(viewer.password);
    await vp.getByRole("button", { name: "Create account" }).click();
    // Back on the invitation, which waits until the address is verified by the link mailed at sign-up.
    await expect(vp.getByText("Verify your e-mail address first")).toBeVisible();
    await expect.poll(() => smtp.messages.some((m) => m.to.includes(viewer.email))).toBe(true);
    const token = /verify-email\?token=([A-Za-z0-9_-]{43})/.exec(mailText(smtp.messages.find((m) => m.to.includes(viewer.email))!))![1];
    await vp.goto(`/verify-email?token=${token}`);
    await expect(vp.getByRole("heading", { name: "E-mail address verified" })).toBeVisible();
    await vp.goto(link);
    await vp.getByRole("button", { name: "Accept invitation" }).click();
    await vp.waitForURL(new RegExp(`${base}$`));
    await expect(vp.locator("aside").getByText("viewer", { exact: true })).toBeVisible();
    for (const [page, hidden] of [
      ["Rules", ["New rule", "Edit", "Delete"]],
      ["Blocklist", ["Block user or org", "Unblock"]],
      ["API keys", ["Create API key", "Revoke"]],
      ["Alerts", ["New alert", "Add channel", "Send test", "Delete"]],
      ["Labels & policies", ["New policy", "Add label", "Edit", "Delete"]],
      ["Billing", ["Set plan"]],
    ] as const) {
      await nav(vp, page);
      await vp.waitForLoadState("networkidle");
      for (const name of hidden) await expect(vp.getByRole("button", { name })).toHaveCount(0);
      await shot(vp, `viewer-${page.toLowerCase().replace(/[^a-z]+/g, "-")}`);
    }
    await expect(vp.getByRole("switch")).toHaveCount(0);
    await vp.goto(`${base}/rules`);
    await expect(vp.getByTestId("rule-row")).toHaveCount(1);
    await expect(vp.getByRole("switch")).toHaveCount(0);
    await vp.goto(`${base}/users/${ALICE}`);
    await expect(vp.getByTestId("block-card")).toBeVisible();
    await expect(vp.getByRole("button", { name: "Block user" })).toHaveCount(0);
    await vp.goto(`${base}/settings`);
    await expect(vp.getByRole("switch", { name: "Payload logging" })).toBeDisabled();
    await expect(vp.getByRole("button", { name: "Create invitation link" })).toHaveCount(0);
    await shot(vp, "viewer-settings");
    // And the server refuses anyway, with the viewer's own session.
    const forged = await vp.request.post("/api/trpc/rules.create", {
      data: { workspaceId: base.split("/").pop(), name: "sneaky", scope: "workspace", metric: "requests", window: "day", limit: 1 },
    });
    expect(forged.status()).toBe(403);
    await context.close();
  });
});
