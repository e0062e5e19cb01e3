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

  it("treats empty strings as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", OPENAI_API_KEY: "" })).toMatchObject({ DATABASE_URL: undefined, OPENAI_API_KEY: undefined });
  });
});
