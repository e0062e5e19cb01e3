// The attack family of an evaluation row, read from its source (data/intent/eval/README.md), for
// the per-family table of the model card. Families follow issue 18: templates, attacker-LLM
// rewrites, optimised suffixes, indirect injections (documents, tool output), plus direct
// injection / system-prompt extraction, which the issue lists with tool output.
const FAMILIES: [RegExp, string][] = [
  [/\/(GCG|DSN)\//, "optimised suffixes (GCG, DSN)"],
  [/\/PAIR\/|patrickrchao\/JailbreakingLLMs/, "attacker-LLM rewrites (PAIR)"],
  [
    /\/JBC\/|prompt_with_random_search|garak\/data\/dan\/|promptfoo|CipherChat|garak\/data\/jef\/|context_compliance/,
    "templates (DAN/AIM, random-search, cipher, context compliance, jef)",
  ],
  [/mcp_tool|latentinjection|greshake|ps-fuzz|latent-jailbreak/, "indirect injections (documents, tool output, latent tasks)"],
  [/sysprompt_extraction|llm-guard/, "direct injection and system-prompt extraction"],
  [/PurpleLlama.*prompt_injection/, "CyberSecEval prompt injection (direct 56 + indirect 27)"],
];

export function familyOf(source: string | undefined): string {
  if (!source) return "unknown";
  for (const [re, name] of FAMILIES) if (re.test(source)) return name;
  return "other";
}
