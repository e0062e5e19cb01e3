import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";

describe("parseEnv", () => {
  it("works with nothing set: embedded defaults", () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, TOKENIST_DATA_DIR: ".tokenist/data", DATABASE_URL: undefined });
  });

  it("names each malformed variable", () => {
    const bad = () => parseEnv({ DATABASE_URL: "mysql://x", PORT: "abc", TOKENIST_INIT_API_KEY: "sk-123" });
    expect(bad).toThrowError(/DATABASE_URL: must start with postgres:\/\//);
    expect(bad).toThrowError(/PORT: /);
    expect(bad).toThrowError(/TOKENIST_INIT_API_KEY: must look like ug_/);
  });

  it("stops on a rate limit that is not a whole number, naming it (else count > NaN would turn the limit off)", () => {
    expect(() => parseEnv({ TOKENIST_SDK_RATE_LIMIT: "abc" })).toThrowError(/TOKENIST_SDK_RATE_LIMIT: /);
    expect(() => parseEnv({ TOKENIST_API_RATE_LIMIT: "1.5" })).toThrowError(/TOKENIST_API_RATE_LIMIT: /);
    expect(() => parseEnv({ TOKENIST_BAD_KEY_LIMIT: "0" })).toThrowError(/TOKENIST_BAD_KEY_LIMIT: /);
  });

  it("reads the worker switch and NextAuth's public URL", () => {
    expect(parseEnv({})).toMatchObject({ TOKENIST_WORKER: true, NEXTAUTH_URL: undefined });
    expect(parseEnv({ TOKENIST_WORKER: "0", NEXTAUTH_URL: "https://app.example.com" })).toMatchObject({
      TOKENIST_WORKER: false,
      NEXTAUTH_URL: "https://app.example.com",
    });
    expect(() => parseEnv({ TOKENIST_WORKER: "maybe" })).toThrowError(/TOKENIST_WORKER: /);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", OPENAI_API_KEY: "" })).toMatchObject({ DATABASE_URL: undefined, OPENAI_API_KEY: undefined });
  });
});
