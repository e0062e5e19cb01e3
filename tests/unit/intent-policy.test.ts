import { describe, expect, it } from "vitest";
import { classifyText } from "@/server/services/intent/classifier";
import { customLabelTerms, matchTerms, parsePolicy, stemsOf } from "@/server/services/intent/policy";

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

describe("H5: the policy matcher reads the model's bounded window, stemmed once", () => {
  const customLabels = Array.from({ length: 20 }, (_, i) => ({
    name: `label_${i}`,
    description: `Mentions "topic${i}" or "other thing ${i}".`,
  }));

  // Speed on long texts is measured by `npm run bench -- intent` (timed tests flake on shared machines);
  // what makes it fast is checked here: nothing outside the bounded window is read.
  it("H5: a 1 MB text with a policy and 20 custom labels is classified from its window: its middle never changes the answer", () => {
    const edge = "word ".repeat(1_000); // 5,000 characters: the window ends inside each edge
    const plain = `Which sports are best for betting? ${edge}${"word ".repeat(200_000)}${edge} I want topic7 back`;
    const loaded = `Which sports are best for betting? ${edge}${"crypto topic3 other thing 5 ".padEnd(1_000, " ").repeat(1_000)}${edge} I want topic7 back`;
    const options = { policy: POLICY, customLabels };
    expect(loaded.length).toBeGreaterThan(1_000_000);
    expect(classifyText(loaded, options)).toEqual(classifyText(plain, options));
    expect(classifyText(plain, options).labels).toEqual(expect.arrayContaining(["tos_breach", "label_7"]));
  });

  it("H5: terms are found in the window (first and last 4,000 characters), not in the middle of a 1 MB text", () => {
    const filler = "word ".repeat(100_000);
    const text = `Which sports are best for betting? ${filler} something about crypto ${filler} I want topic7 back`;
    const result = classifyText(text, { policy: POLICY, customLabels });
    expect(result.labels).toEqual(expect.arrayContaining(["tos_breach", "label_7"]));
    expect(result.scores.tos_breach).toBe(1);
    expect(result.scores.label_3).toBe(0);
    // "crypto" sits 500,000 characters in: outside the window, as it is for the models.
    const middle = classifyText(`${filler} cryptocurrency trading ${filler}`, { policy: POLICY });
    expect(middle.scores.tos_breach).toBe(0);
  });

  it("H5: matchTerms accepts the stems built once (stemsOf) and a plain string alike", () => {
    const terms = parsePolicy(POLICY);
    const present = stemsOf("Which sports are best for betting?");
    expect(matchTerms(terms, present)).toEqual(matchTerms(terms, "Which sports are best for betting?"));
  });
});
