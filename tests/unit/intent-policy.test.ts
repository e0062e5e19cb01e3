import { describe, expect, it } from "vitest";
import { customLabelTerms, matchTerms, parsePolicy } from "@/server/services/intent/policy";

const POLICY = `Acme Assistant usage policy.
Do not use the service for gambling, sports betting or weapons.
No medical advice.
Forbidden topics: cryptocurrency trading; adult content
Prohibited:
- Generating malware
- political campaign material

Be kind to other users.`;

describe("parsePolicy", () => {
  it("reads ban sentences, key lines and bullet lists", () => {
    expect(parsePolicy(POLICY).map((t) => t.phrase)).toEqual([
      "gambling",
      "sports betting",
      "weapons",
      "medical advice",
      "cryptocurrency trading",
      "adult content",
      "malware",
      "political campaign material",
    ]);
  });

  it("ignores lines that forbid nothing", () => {
    expect(parsePolicy("Be kind.\nAnswer in English.\n- a bullet under no ban")).toEqual([]);
  });
});

describe("matchTerms", () => {
  const terms = parsePolicy(POLICY);

  it("needs every content word of a term (after light stemming)", () => {
    expect(matchTerms(terms, "Which sports are best for betting?")).toEqual({ score: 1, term: "sports betting" });
    expect(matchTerms(terms, "I need medical advice about a rash").score).toBe(1);
    expect(matchTerms(terms, "tell me about crypto trading").score).toBe(0.5);
    expect(matchTerms(terms, "what's the weather like").score).toBe(0);
  });

  it("has no notion of negation (documented limitation)", () => {
    expect(matchTerms(terms, "I am not interested in gambling").score).toBe(1);
  });
});

describe("customLabelTerms", () => {
  it("uses quoted phrases and keyword lists, else the label name", () => {
    expect(customLabelTerms("billing", 'Mentions "invoice" or "chargeback".').map((t) => t.phrase)).toEqual(["invoice", "chargeback"]);
    expect(customLabelTerms("billing", "keywords: invoice, late fee").map((t) => t.phrase)).toEqual(["invoice", "late fee"]);
    expect(customLabelTerms("refund_request", "The user wants their money back").map((t) => t.phrase)).toEqual(["refund request"]);
  });
});
