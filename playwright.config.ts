import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";

const PORT = Number(process.env.E2E_PORT ?? 3199);
export const E2E_BASE_URL = `http://127.0.0.1:${PORT}`;
export const E2E_API_KEY = "ug_e2eTestKey0123456789abcdefghij";
/** The SMTP receiver the dashboard test starts: the app mails verification links there. */
export const E2E_SMTP_PORT = PORT + 1;
const dataDir = path.join(os.tmpdir(), `tokenist-e2e-${process.pid}`);

// Debian's Chromium (browsers cannot be downloaded here), against the built app.
export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  timeout: 60_000,
  // No retries, on CI either: a flaky test is a bug to fix at its root, and a retry hides it.
  retries: 0,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: E2E_BASE_URL,
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: `node scripts/start.mjs`,
    url: `${E2E_BASE_URL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    env: {
      PORT: String(PORT),
      TOKENIST_DATA_DIR: dataDir,
      TOKENIST_INIT_EMAIL: "owner@example.com",
      TOKENIST_INIT_PASSWORD: "correct horse battery",
      TOKENIST_INIT_WORKSPACE: "E2E workspace",
      TOKENIST_INIT_API_KEY: E2E_API_KEY,
      DATABASE_URL: "",
      SMTP_URL: `smtp://127.0.0.1:${E2E_SMTP_PORT}`,
      /** The Enterprise contact form e-mails enquiries here (tests/e2e/enterprise-contact.spec.ts). */
      TOKENIST_SALES_EMAIL: "sales@tokenist.test",
      /** SSO callbacks and e-mailed links point at the address the browser uses (tests/e2e/sso.spec.ts). */
      TOKENIST_PUBLIC_URL: E2E_BASE_URL,
      /** The SSO walk's identity providers run on loopback over http. */
      TOKENIST_SSO_ALLOW_INSECURE: "1",
    },
  },
});
