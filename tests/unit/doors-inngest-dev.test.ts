import { afterEach, describe, expect, it } from "vitest";
import { inngestDevMode, inngestDevRefusal, parseEnv, resetEnvCache } from "@/server/env";

describe("L12: Inngest's dev mode in production", () => {
  it("reads INNGEST_DEV as the inngest SDK does: 1/true or a dev server URL is dev mode; 0/false/unset is not", () => {
    expect(["1", "true", " TRUE ", "http://localhost:8288", "localhost:8288"].map(inngestDevMode)).toEqual([true, true, true, true, true]);
    expect([undefined, "", "0", "false", "undefined"].map(inngestDevMode)).toEqual([false, false, false, false, false]);
  });

  it("refuses INNGEST_DEV under NODE_ENV=production unless TOKENIST_ALLOW_INNGEST_DEV=1", () => {
    expect(inngestDevRefusal({ NODE_ENV: "production", INNGEST_DEV: "1", TOKENIST_ALLOW_INNGEST_DEV: false })).toMatch(
      /^INNGEST_DEV: .*unsigned/,
    );
    expect(
      inngestDevRefusal({ NODE_ENV: "production", INNGEST_DEV: "http://inngest:8288", TOKENIST_ALLOW_INNGEST_DEV: false }),
    ).not.toBeNull();
    expect(inngestDevRefusal({ NODE_ENV: "production", INNGEST_DEV: "1", TOKENIST_ALLOW_INNGEST_DEV: true })).toBeNull();
    expect(inngestDevRefusal({ NODE_ENV: "production", INNGEST_DEV: "0", TOKENIST_ALLOW_INNGEST_DEV: false })).toBeNull();
    expect(inngestDevRefusal({ NODE_ENV: "development", INNGEST_DEV: "1", TOKENIST_ALLOW_INNGEST_DEV: false })).toBeNull();
  });

  it("stops start-up: parseEnv (run by instrumentation before anything is served) throws, naming the variable", () => {
    expect(() => parseEnv({ NODE_ENV: "production", INNGEST_DEV: "1" })).toThrowError(/INNGEST_DEV: .*TOKENIST_ALLOW_INNGEST_DEV=1/);
    expect(parseEnv({ NODE_ENV: "production", INNGEST_DEV: "1", TOKENIST_ALLOW_INNGEST_DEV: "1" })).toMatchObject({
      TOKENIST_ALLOW_INNGEST_DEV: true,
    });
    expect(parseEnv({ NODE_ENV: "development", INNGEST_DEV: "1" })).toMatchObject({ INNGEST_DEV: "1" });
  });

  describe("the /api/inngest route", () => {
    const saved = { NODE_ENV: process.env.NODE_ENV, INNGEST_DEV: process.env.INNGEST_DEV };
    afterEach(() => {
      Object.assign(process.env, saved);
      if (saved.INNGEST_DEV === undefined) delete process.env.INNGEST_DEV;
      resetEnvCache();
    });

    it("answers 503 to every method, with nothing of the reason, when the configuration is refused", async () => {
      const route = await import("@/app/api/inngest/route");
      Object.assign(process.env, { NODE_ENV: "production", INNGEST_DEV: "1" });
      resetEnvCache();
      for (const handler of [route.GET, route.POST, route.PUT]) {
        const res = await handler(
          new Request("http://local/api/inngest?fnId=tokenist-deliver-alert", { method: "POST", body: "{}" }) as never,
          undefined,
        );
        expect(res.status).toBe(503);
        expect(JSON.stringify(await res.json())).not.toMatch(/INNGEST_DEV/);
      }
    });
  });
});
