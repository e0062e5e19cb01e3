import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { salesLeads } from "@/db/schema";
import { resetEnvCache } from "@/server/env";
import { resetMailTransport } from "@/server/services/email/send-mail";
import { contactSales } from "@/server/services/sales/contact-sales";
import { onAppDatabase, startApp, type RunningApp } from "../helpers/app-server";
import { openTestDatabase, TEST_DRIVERS } from "../helpers/db";
import { mailText, startSmtpServer } from "../helpers/receivers";

const SALES = "sales@tokenist.test";
const LEAD = {
  name: "Ada Lovelace",
  email: "ada@analytical.example",
  company: "Analytical Engines Ltd",
  monthlyRequests: 3_000_000,
  message: "We need SSO and 2 years of retention.",
};

let nextAddress = 1;
/** Each test its own client address (the app trusts one proxy hop): the per-address limit is theirs alone. */
const address = () => `198.51.100.${nextAddress++}`;

describe.each(TEST_DRIVERS)("POST /api/contact-sales over HTTP on %s", (driver) => {
  let app: RunningApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await startApp({ driver, env: { SMTP_URL: smtp.url, TOKENIST_SALES_EMAIL: SALES, TOKENIST_TRUSTED_PROXIES: "1" } });
  });
  afterAll(async () => {
    await app?.dispose();
    await smtp?.close();
  });

  const post = async (body: unknown, from = address(), headers: Record<string, string> = {}) => {
    const res = await fetch(`${app.baseUrl}/api/contact-sales`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": from, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };

  it("stores the lead and e-mails it to TOKENIST_SALES_EMAIL", async () => {
    const res = await post({ ...LEAD, name: "  Ada Lovelace  " });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ received: true, id: expect.stringMatching(/^lead_[0-9a-z]{26}$/) });
    const mail = smtp.messages.find((m) => mailText(m).includes(res.body.id));
    expect(mail, "the lead's e-mail").toBeDefined();
    expect(mail!.to).toEqual([SALES]);
    expect(mail!.raw).toMatch(/Subject: \[Tokenist\] Enterprise enquiry: Analytical Engines Ltd/);
    const text = mailText(mail!);
    for (const part of [
      "Name:             Ada Lovelace",
      "Work e-mail:      ada@analytical.example",
      "Monthly requests: 3,000,000",
      LEAD.message,
    ]) {
      expect(text).toContain(part);
    }
    await onAppDatabase(app, async (query) => {
      const rows = await query(
        "select name, email, company, monthly_requests, message, emailed_at, email_error from sales_leads where id = $1",
        [res.body.id],
      );
      expect(rows).toEqual([
        {
          name: "Ada Lovelace",
          email: LEAD.email,
          company: LEAD.company,
          monthly_requests: expect.anything(),
          message: LEAD.message,
          emailed_at: expect.anything(),
          email_error: null,
        },
      ]);
      expect(Number(rows[0].monthly_requests)).toBe(3_000_000);
    });
  });

  it("refuses invalid enquiries with a clear 400 (or 413) and stores nothing", async () => {
    const from = address();
    const cases: Array<[unknown, number, string | RegExp]> = [
      [{ ...LEAD, name: "   " }, 400, "name: Name is required"],
      [{ ...LEAD, email: "not-an-address" }, 400, "email: Work e-mail must be an e-mail address"],
      [{ ...LEAD, company: "Evil\r\nBcc: victim@example.com" }, 400, "company: Company must be one line of text"],
      [{ ...LEAD, monthlyRequests: -5 }, 400, "monthlyRequests: Expected monthly requests cannot be negative"],
      [{ ...LEAD, monthlyRequests: "lots" }, 400, "monthlyRequests: Expected monthly requests must be a number"],
      [{ ...LEAD, monthlyRequests: 1.5 }, 400, "monthlyRequests: Expected monthly requests must be a whole number"],
      [{ ...LEAD, message: "x".repeat(5001) }, 400, "message: Message must be at most 5,000 characters"],
      [{ ...LEAD, phone: "555-0100" }, 400, 'Unknown field "phone"'],
      [{ name: LEAD.name }, 400, /is required/],
      ["{not json", 400, /Request body is not valid JSON/],
      ["", 400, "Request body is required (JSON)"],
      [[LEAD], 400, /expected object, received array/],
      [`${"[".repeat(300)}${"]".repeat(300)}`, 400, /nested deeper than 256 levels/],
      [{ ...LEAD, message: "x".repeat(20_000) }, 413, "Request body is larger than 16384 bytes"],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body, from);
      expect([res.status, res.body.error?.message], JSON.stringify(body).slice(0, 80)).toEqual([
        status,
        typeof message === "string" ? message : expect.stringMatching(message),
      ]);
    }
    // Refused bodies spent none of the address's enquiries.
    expect((await post(LEAD, from)).status).toBe(201);
    await onAppDatabase(app, async (query) => {
      const rows = await query("select company from sales_leads where company <> $1", [LEAD.company]);
      expect(rows).toEqual([]);
    });
  });

  it("takes 5 enquiries an hour per client address, then 429 with Retry-After; other addresses go on", async () => {
    const from = address();
    for (let i = 0; i < 5; i++) expect((await post({ ...LEAD, company: `Flood ${i}` }, from)).status).toBe(201);
    const refused = await post({ ...LEAD, company: "Flood 5" }, from);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      code: "rate_limited",
      message: expect.stringContaining("Too many enquiries from this address"),
    });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await post({ ...LEAD, company: "Someone else" })).status).toBe(201);
    await onAppDatabase(app, async (query) => {
      const rows = await query("select company from sales_leads where company like 'Flood %' order by company");
      expect(rows.map((r) => r.company)).toEqual(["Flood 0", "Flood 1", "Flood 2", "Flood 3", "Flood 4"]);
    });
  });
});

describe.each(TEST_DRIVERS)("contact-sales service on %s", (driver) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  const saved = { SMTP_URL: process.env.SMTP_URL, TOKENIST_SALES_EMAIL: process.env.TOKENIST_SALES_EMAIL };
  const setEnv = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
    resetMailTransport();
  };
  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  afterAll(async () => {
    setEnv(saved);
    await database.close();
  });

  it("without TOKENIST_SALES_EMAIL stores the lead and sends nothing", async () => {
    const smtp = await startSmtpServer();
    try {
      setEnv({ SMTP_URL: smtp.url, TOKENIST_SALES_EMAIL: undefined });
      const result = await contactSales(database.db, LEAD, `svc-${driver}-1`);
      expect(result).toEqual({ id: expect.stringMatching(/^lead_/), emailed: false });
      const [lead] = await database.db.select().from(salesLeads).where(eq(salesLeads.id, result.id));
      expect(lead).toMatchObject({ company: LEAD.company, monthlyRequests: 3_000_000, emailedAt: null, emailError: null });
      expect(smtp.messages).toEqual([]);
    } finally {
      await smtp.close();
    }
  });

  it("keeps the lead, with why, when the e-mail cannot be sent", async () => {
    // Nothing listens on port 1: the send fails, the enquiry stands.
    setEnv({ SMTP_URL: "smtp://127.0.0.1:1", TOKENIST_SALES_EMAIL: SALES });
    const result = await contactSales(database.db, LEAD, `svc-${driver}-2`);
    expect(result.emailed).toBe(false);
    const [lead] = await database.db.select().from(salesLeads).where(eq(salesLeads.id, result.id));
    expect(lead!.emailedAt).toBeNull();
    expect(lead!.emailError).toMatch(/ECONNREFUSED|connect/i);
  });
});
