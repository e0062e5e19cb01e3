import { SHOTS, expect, test, withSmtpReceiver } from "../helpers/e2e";
import { mailText } from "../helpers/receivers";

// playwright.config.ts sets TOKENIST_SALES_EMAIL: enquiries are mailed to the spec's SMTP receiver.
const smtp = withSmtpReceiver();

test("the landing page carries the product page's promises: feature cards, the works-with line, trials and the FAQ", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("works-with")).toHaveText(
    "Works with Chat Completions, Responses, Realtime, embeddings — wherever you make LLM calls.",
  );
  const features = page.getByTestId("features");
  for (const title of [
    "Node SDK + REST",
    "Per-user cost tracking",
    "Intent-aware guardrails",
    "Limits & automation",
    "Feature-level attribution",
    "Block & throttle users",
    "Dashboards + API parity",
    "Audit-ready logs",
  ]) {
    await expect(features.getByRole("heading", { name: title })).toBeVisible();
  }
  await expect(
    page.getByText("All paid plans include a 14-day free trial · Cancel any time · No credit card required to start"),
  ).toBeVisible();
  const plans = page.getByTestId("plans");
  for (const promise of [
    "Community support",
    "E-mail support",
    "Priority support",
    "SSO + RBAC",
    "Dedicated SLA and Slack channel",
    "On-prem option",
  ]) {
    await expect(plans.getByText(promise)).toBeVisible();
  }
  const faq = page.getByTestId("faq");
  await expect(faq.locator("details")).toHaveCount(8);
  await faq.getByText("Do I have to route my LLM traffic through Tokenist?").click();
  await expect(faq.getByText(/^No\. Tokenist sits in your server-side code\./)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/landing-promises.png`, fullPage: true });
});

test("Enterprise → Contact us → the sales form: a refused field is shown, a sent enquiry is thanked and mailed to sales", async ({
  page,
}) => {
  await page.goto("/#pricing");
  await page.getByTestId("plans").getByRole("button", { name: "Contact us" }).click();
  const dialog = page.getByRole("dialog", { name: "Talk to us about Enterprise" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Name").fill("   "); // passes the browser's `required`, not the server
  await dialog.getByLabel("Work e-mail").fill("grace@compilers.example");
  await dialog.getByLabel("Company").fill("Compilers Inc");
  await dialog.getByLabel("Expected monthly requests").fill("2,500,000");
  await dialog.getByLabel("Message").fill("SSO with Okta, 400 days of retention.");
  await dialog.getByRole("button", { name: "Send" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Please check the highlighted fields.");
  await expect(dialog.getByText("Name is required")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: `${SHOTS}/enterprise-contact-error.png` });

  await dialog.getByLabel("Name").fill("Grace Hopper");
  await dialog.getByRole("button", { name: "Send" }).click();
  const thanks = dialog.getByTestId("contact-sales-thanks");
  await expect(thanks).toContainText("Thank you, Grace Hopper!");
  await expect(thanks).toContainText("grace@compilers.example");
  await page.screenshot({ path: `${SHOTS}/enterprise-contact-thanks.png` });

  await expect
    .poll(() => smtp.smtp?.messages.find((m) => m.to.includes("sales@tokenist.test") && mailText(m).includes("Compilers Inc")))
    .toBeDefined();
  const mail = smtp.smtp!.messages.find((m) => mailText(m).includes("Compilers Inc"))!;
  expect(mailText(mail)).toContain("Monthly requests: 2,500,000");
  await thanks.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
});
