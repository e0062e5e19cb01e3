import { describe, expect, it } from "vitest";
import { generateApiKey } from "@/server/services/api-keys/key-material";
import { REDACTED, redactAuditData } from "@/server/services/audit/redact";

describe("audit data never holds a secret", () => {
  it("replaces values whose key names a secret, at any depth", () => {
    const out = redactAuditData({
      name: "CI",
      key: "anything",
      apiKey: "x",
      api_key: "y",
      clientSecret: "s3cr3t",
      password: "hunter2",
      passwordHash: "$argon2id$...",
      tokenHash: "abc",
      access_token: "tok",
      nested: { deeper: [{ webhookSecret: "whs", keep: 1 }] },
    });
    expect(out).toEqual({
      name: "CI",
      key: REDACTED,
      apiKey: REDACTED,
      api_key: REDACTED,
      clientSecret: REDACTED,
      password: REDACTED,
      passwordHash: REDACTED,
      tokenHash: REDACTED,
      access_token: REDACTED,
      nested: { deeper: [{ webhookSecret: REDACTED, keep: 1 }] },
    });
  });

  it("keeps what only sounds like a secret: ids, token counts, scopes", () => {
    const data = { keyId: "key_01", maxTokens: 100, totalTokens: 5, scopes: ["read"], idempotencyKey: "abc", metric: "total_tokens" };
    expect(redactAuditData(data)).toEqual(data);
  });

  it("cuts URLs to scheme and host (a Slack or webhook URL carries its token)", () => {
    expect(
      redactAuditData({
        url: "https://hooks.slack.com/services/T000/B000/XXXXSECRET",
        webhookUrl: "https://user:pw@example.com/hook?token=abc",
        homepage: "https://example.com/",
        returnUrl: "https://app.example.com",
      }),
    ).toEqual({
      url: `https://hooks.slack.com/${REDACTED}`,
      webhookUrl: `https://example.com/${REDACTED}`,
      homepage: "https://example.com/",
      returnUrl: "https://app.example.com",
    });
  });

  it("cuts secret-looking text out of any string", () => {
    const key = generateApiKey();
    const out = redactAuditData({
      reason: `leaked ${key} in a ticket`,
      note: "whsec_abcdefghijklmnop and sk_live_1234567890abcdef and Bearer abc.def.ghi123",
      list: [`inv_${"A".repeat(43)}`, "inv_01jd0000000000000000000000"],
      db: "postgres://admin:pa55@db.internal:5432/app",
      slack: "see https://hooks.slack.com/services/T1/B2/C3 now",
    });
    const text = JSON.stringify(out);
    expect(text).not.toContain(key);
    expect(text).not.toMatch(/whsec_abc|sk_live_|abc\.def|pa55|T1\/B2/);
    expect(out.list).toEqual([REDACTED, "inv_01jd0000000000000000000000"]); // an invitation id stays
    expect(out.reason).toBe(`leaked ${REDACTED} in a ticket`);
  });

  it("leaves null and undefined data alone and does not change its input", () => {
    expect(redactAuditData(null)).toBeNull();
    expect(redactAuditData(undefined)).toBeUndefined();
    const input = { secret: "x" };
    redactAuditData(input);
    expect(input).toEqual({ secret: "x" });
  });
});
