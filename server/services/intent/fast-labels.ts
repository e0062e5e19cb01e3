import type { TCheckInput } from "@/server/contract/sdk";
import { classifyMessages, type TClassifyOptions } from "./classifier";

/**
 * The labels /sdk/check answers for this input: the built-in classifier, in-process
 * (no network, well under a millisecond), with the workspace's policy terms and custom
 * labels when given. `["safe"]` when nothing was found or sent.
 */
export function classifyCheckInput(input: TCheckInput["input"], opts?: TClassifyOptions): string[] {
  if (!input || (typeof input === "string" && !input.trim())) return ["safe"];
  return classifyMessages(input, opts).labels;
}
