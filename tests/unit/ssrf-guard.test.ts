import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/server/env";
import { assertPublicUrl, isBlockedAddress } from "@/server/lib/safe-request";
import { maskUrl } from "@/server/services/alerts/channel-view";
import { assertSlackUrl, subjectText } from "@/server/services/channels/send";
import { signWebhook, verifyWebhook } from "@/server/services/channels/signature";

describe("the webhook SSRF guard", () => {
  afterEach(() => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
  });

  it.each([
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.1/",
    "http://[::1]:8080/",
    "http://192.168.1.10/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
  ])("refuses %s", async (url) => {
    await expect(assertPublicUrl(url)).rejects.toThrow(/Refused/);
  });

  it("L2: refuses a hostname that resolves to loopback without naming the address (no DNS oracle)", async () => {
    const err = await assertPublicUrl("http://localhost:3000/hook").catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("Refused: localhost resolves to a private or reserved address");
    expect((err as Error).message).not.toMatch(/127\.0\.0\.1|::1/);
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
    expect(["127.0.0.1", "10.1.2.3", "172.16.0.1", "169.254.169.254", "fe80::1", "fd00::1", "100.64.0.1"].every(isBlockedAddress)).toBe(
      true,
    );
    expect(["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"].some(isBlockedAddress)).toBe(false);
  });

  // L2: every IPv4 range ipaddr.js names other than "unicast" is refused.
  it.each([
    ["0.0.0.0/8 (this network)", "0.1.2.3"],
    ["10.0.0.0/8 (private)", "10.255.0.1"],
    ["100.64.0.0/10 (carrier-grade NAT)", "100.127.255.254"],
    ["127.0.0.0/8 (loopback)", "127.8.9.10"],
    ["169.254.0.0/16 (link-local, cloud metadata)", "169.254.169.254"],
    ["172.16.0.0/12 (private)", "172.31.255.255"],
    ["192.0.0.0/24 (IETF protocol assignments)", "192.0.0.170"],
    ["192.0.2.0/24 (TEST-NET-1)", "192.0.2.1"],
    ["192.88.99.0/24 (6to4 relay anycast)", "192.88.99.1"],
    ["192.168.0.0/16 (private)", "192.168.1.1"],
    ["198.18.0.0/15 (benchmarking)", "198.19.0.1"],
    ["198.51.100.0/24 (TEST-NET-2)", "198.51.100.7"],
    ["203.0.113.0/24 (TEST-NET-3)", "203.0.113.9"],
    ["224.0.0.0/4 (multicast)", "239.1.2.3"],
    ["240.0.0.0/4 (reserved)", "250.1.2.3"],
    ["255.255.255.255 (broadcast)", "255.255.255.255"],
  ])("L2: refuses IPv4 %s", (_range, address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  // L2: IPv6 outside global unicast, and the forms that embed a private IPv4 address.
  it.each([
    ["::/128 (unspecified)", "::"],
    ["::1/128 (loopback)", "::1"],
    ["::ffff:0:0/96 (IPv4-mapped loopback)", "::ffff:127.0.0.1"],
    ["::ffff:0:0/96 (IPv4-mapped metadata, hex form)", "::ffff:a9fe:a9fe"],
    ["::/96 (IPv4-compatible, dotted)", "::127.0.0.1"],
    ["::/96 (IPv4-compatible, public v4 inside)", "::8.8.8.8"],
    ["::/96 (IPv4-compatible, hex)", "::a9fe:a9fe"],
    ["::ffff:0:0:0/96 (IPv4-translated)", "::ffff:0:7f00:1"],
    ["64:ff9b::/96 (NAT64) → 169.254.169.254", "64:ff9b::a9fe:a9fe"],
    ["64:ff9b::/96 (NAT64) → 10.0.0.1, dotted", "64:ff9b::10.0.0.1"],
    ["64:ff9b:1::/48 (local-use NAT64)", "64:ff9b:1::808:808"],
    ["2002::/16 (6to4) → 169.254.169.254", "2002:a9fe:a9fe::1"],
    ["2002::/16 (6to4) → 127.0.0.1", "2002:7f00:1::"],
    ["2001::/32 (Teredo)", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    ["2001:db8::/32 (documentation)", "2001:db8::1"],
    ["fc00::/7 (unique local)", "fd12:3456::1"],
    ["fe80::/10 (link-local)", "fe80::1"],
    ["fe80::/10 (link-local with a zone)", "fe80::1%eth0"],
    ["fec0::/10 (site-local, deprecated)", "fec0::1"],
    ["ff00::/8 (multicast)", "ff02::1"],
    ["5f00::/16 (segment routing)", "5f00::1"],
    ["outside 2000::/3 (unassigned)", "4000::1"],
  ])("L2: refuses IPv6 %s", (_range, address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it("L2: allows global unicast, and NAT64, 6to4 and mapped forms of a public IPv4 address", () => {
    for (const address of [
      "8.8.8.8",
      "2606:4700:4700::1111",
      "2a00:1450:4001:80b::200e",
      "::ffff:8.8.8.8",
      "64:ff9b::808:808",
      "64:ff9b::8.8.8.8",
      "2002:808:808::1",
    ]) {
      expect(isBlockedAddress(address), address).toBe(false);
    }
    expect(["", "not-an-ip", "1.2.3", "::g"].every(isBlockedAddress)).toBe(true);
  });

  it.each(["http://[64:ff9b::a9fe:a9fe]/latest", "http://[2002:a9fe:a9fe::1]/", "http://[::127.0.0.1]/", "http://[fec0::1]/"])(
    "L2: refuses the URL %s with a message that names no address",
    async (url) => {
      await expect(assertPublicUrl(url)).rejects.toThrow(/^Refused: \[.*\] resolves to a private or reserved address$/);
    },
  );
});

describe("Slack channels (L1)", () => {
  afterEach(() => {
    delete process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS;
    resetEnvCache();
  });

  it("L1: a slack channel takes only https://hooks.slack.com/ URLs, unless private webhooks are allowed for development", () => {
    expect(() => assertSlackUrl("https://hooks.slack.com/services/T000/B000/XXXX")).not.toThrow();
    for (const url of [
      "https://example.com/services/T000",
      "http://hooks.slack.com/services/T000",
      "https://hooks.slack.com.evil.example/x",
      "https://hooks.slack.com:8443/x",
      "nope",
    ]) {
      expect(() => assertSlackUrl(url), url).toThrow(/Slack incoming-webhook URL/);
    }
    process.env.TOKENIST_ALLOW_PRIVATE_WEBHOOKS = "1";
    resetEnvCache();
    expect(() => assertSlackUrl("http://127.0.0.1:9000/hook")).not.toThrow();
  });

  it("L1: a masked URL keeps its origin and last 4 characters only", () => {
    expect(maskUrl("https://hooks.slack.com/services/T000/B000/abcdWXYZ")).toBe("https://hooks.slack.com/…WXYZ");
  });
});

describe("e-mail subjects (L4)", () => {
  it("L4: tenant text in a subject loses its line breaks and is cut", () => {
    expect(subjectText("ops\r\nBcc: victim@example.com\u2028x", 100)).toBe("ops Bcc: victim@example.com x");
    const long = subjectText(`${"a".repeat(38)}😀tail`, 40); // the cut falls right after the emoji
    expect([...long]).toHaveLength(40);
    expect(long).toBe(`${"a".repeat(38)}😀…`);
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
