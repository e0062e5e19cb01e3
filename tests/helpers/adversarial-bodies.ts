// What an attacker would send the SDK doors: shared by tests/integration/adversarial-bodies.test.ts
// (what each answer is) and `npm run bench -- adversarial` (how long it takes).

export const MB = 1_000_000;
export const TERMS = ["refund", "chargeback", "invoice", "cancel", "lawyer", "lawsuit", "password", "exploit", "weapon", "crypto"];

/** 20 custom labels whose descriptions are full of the terms the texts repeat. */
export const LABELS = Array.from({ length: 20 }, (_, i) => ({
  name: `label_${i}`,
  description: `keywords: ${TERMS.map((t) => `${t}${i}`).join(", ")}, "${TERMS[i % TERMS.length]} request ${i}"`,
}));

/** A usage policy naming every term. */
export const USAGE_POLICY = `No ${TERMS.join(", no ")}. Keywords: ${TERMS.join(", ")}.`;

/** ~1 MB strings an attacker would pick: no spaces, `a@` repeated, 10,000 custom-label-like terms. */
export const TEXTS: Record<string, string> = {
  "no spaces": "a".repeat(MB - 200),
  "a@ repeated": "a@".repeat((MB - 200) / 2),
  "a.a@ repeated": "a.a@".repeat((MB - 200) / 4),
  "10,000 label-like terms": Array.from({ length: 10_000 }, (_, i) => `${TERMS[i % 10]}${i % 20} request ${i % 20}`)
    .join(" ")
    .slice(0, MB - 200),
};

/** Nested arrays as JSON text (JSON.stringify itself would overflow the stack at this depth). */
export const deepJson = (depth: number) => "[".repeat(depth) + '"x"' + "]".repeat(depth);
