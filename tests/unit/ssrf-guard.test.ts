import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/server/env";
import { assertPublicUrl, isBlockedAddress } from "@/server/services/alerts/safe-request";
import { signWebhook, verifyWebhook } from "@/server/services/alerts/signature";

describe("the webhook SSRF guard", () => {
  afterEach(() => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
  });

  it.each(["http://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://[::1]:8080/", "http://192.168.1.10/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/"])(
    "refuses %s",
    async (url) => {
      await expect(assertPublicUrl(url)).rejects.toThrow(/Refused/);
    },
  );

  it("refuses a hostname that resolves to loopback", async () => {
    await expect(assertPublicUrl("http://localhost:3000/hook")).rejects.toThrow(/resolves to a private, loopback or link-local address \(127\.0\.0\.1|::1\)/);
  });

  it("refuses other schemes and credentials in the URL", async () => {
    await expect(assertPublicUrl("file:///etc/passwd")).rejects.toThrow(/http or https/);
    await expect(assertPublicUrl("http://user:pw@93.184.216.34/")).rejects.toThrow(/credentials/);
  });

  it("accepts a public address, and private ones only when allowed for development", async () => {
    await expect(assertPublicUrl("https://93.184.216.34/hook")).resolves.toBeInstanceOf(URL);
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1";
    resetEnvCache();
    await expect(assertPublicUrl("http://127.0.0.1/hook")).resolves.toBeInstanceOf(URL);
  });

  it("classifies addresses", () => {
    expect(["127.0.0.1", "10.1.2.3", "172.16.0.1", "169.254.169.254", "fe80::1", "fd00::1", "100.64.0.1"].every(isBlockedAddress)).toBe(true);
    expect(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"].some(isBlockedAddress)).toBe(false);
  });
});

describe("webhook signatures", () => {
  it("verifies its own signature and refuses tampering, other secrets and stale timestamps", () => {
    const body = JSON.stringify({ type: "limit.crossed", used: 8 });
    const header = signWebhook("whsec_test", body, 1_800_000_000);
    expect(verifyWebhook("whsec_test", body, header, 300, 1_800_000_100)).toBe(true);
    expect(verifyWebhook("whsec_test", body.replace("8", "9"), header, 300, 1_800_000_100)).toBe(false);
    expect(verifyWebhook("whsec_other", body, header, 300, 1_800_000_100)).toBe(false);
    expect(verifyWebhook("whsec_test", body, header, 300, 1_800_000_301)).toBe(false);
    expect(verifyWebhook("whsec_test", body, undefined)).toBe(false);
  });
});
