import type { TCheckInput } from "@/server/contract/sdk";
import { classifyMessages } from "./classifier";

/**
 * The labels /sdk/check answers for this input: the built-in classifier, in-process
 * (no network, well under a millisecond). `["safe"]` when nothing was found or sent.
 */
export function classifyCheckInput(input: TCheckInput["input"]): string[] {
  if (!input || (typeof input === "string" && !input.trim())) return ["safe"];
  return classifyMessages(input).labels;
}
