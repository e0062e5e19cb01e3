import { afterEach, describe, expect, it } from "vitest";
import { clientIp, clientIpFrom, DIRECT, trustedProxies } from "@/server/http/client-ip";
import { parseEnv, resetEnvCache } from "@/server/env";

const xff = (value: string) => new Headers({ "x-forwarded-for": value });

describe("clientIp", () => {
  afterEach(() => {
    delete process.env.TOKENIST_TRUSTED_PROXIES;
    resetEnvCache();
  });

  it("H4: with no trusted proxy, X-Forwarded-For is ignored and every request is DIRECT", () => {
    expect(clientIpFrom(xff("203.0.113.9"), null)).toBe(DIRECT);
    expect(clientIpFrom(xff("203.0.113.9"), trustedProxies("0"))).toBe(DIRECT);
    expect(clientIp({ headers: { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.10" } })).toBe(DIRECT);
  });

  it("H4: with one trusted hop, the client's own prefix does not change the address", () => {
    const one = trustedProxies("1");
    // The proxy appends the peer it saw; whatever the client sent stays on the left.
    expect(clientIpFrom(xff("198.51.100.7"), one)).toBe("198.51.100.7");
    expect(clientIpFrom(xff("1.1.1.1, 198.51.100.7"), one)).toBe("198.51.100.7");
    expect(clientIpFrom(xff(`${"9.9.9.9, ".repeat(2000)}198.51.100.7`), one)).toBe("198.51.100.7");
    expect(clientIpFrom({ "x-forwarded-for": ["garbage", "198.51.100.7:51234"] }, one)).toBe("198.51.100.7");
    expect(clientIpFrom(new Headers(), one)).toBe(DIRECT);
  });

  it("H4: two hops take the second entry from the right", () => {
    expect(clientIpFrom(xff("6.6.6.6, 198.51.100.7, 10.0.0.2"), trustedProxies("2"))).toBe("198.51.100.7");
    expect(clientIpFrom(xff("198.51.100.7"), trustedProxies("2"))).toBe("198.51.100.7");
  });

  it("H4: a proxy list skips our own proxies from the right and stops at the first stranger", () => {
    const list = trustedProxies("10.0.0.0/8, 2001:db8::1");
    expect(clientIpFrom(xff("6.6.6.6, 198.51.100.7, 10.1.2.3, 2001:db8::1"), list)).toBe("198.51.100.7");
    expect(clientIpFrom(xff("10.9.9.9, 10.1.2.3"), list)).toBe("10.9.9.9");
    expect(clientIpFrom(xff("[2001:DB8:0:0::42]:443, 10.1.2.3"), list)).toBe("2001:db8::42");
    expect(clientIpFrom(xff("::ffff:198.51.100.7, 10.1.2.3"), list)).toBe("198.51.100.7");
    expect(clientIpFrom(xff("not-an-ip, 10.1.2.3"), list)).toBe(DIRECT);
  });

  it("H4: TOKENIST_TRUSTED_PROXIES is read from the environment and validated at start-up", () => {
    process.env.TOKENIST_TRUSTED_PROXIES = "1";
    resetEnvCache();
    expect(clientIp(new Request("http://x/", { headers: { "x-forwarded-for": "1.2.3.4, 198.51.100.7" } }))).toBe("198.51.100.7");
    expect(parseEnv({ TOKENIST_TRUSTED_PROXIES: "10.0.0.0/8,192.168.1.1, ::1/128" }).TOKENIST_TRUSTED_PROXIES).toBeDefined();
    for (const bad of ["33", "10.0.0.0/33", "proxy.internal", "10.0.0.1/8/1", "-1"]) {
      expect(() => parseEnv({ TOKENIST_TRUSTED_PROXIES: bad }), bad).toThrowError(/TOKENIST_TRUSTED_PROXIES/);
    }
  });
});
