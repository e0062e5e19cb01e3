// The built-in intent classifier: three hashed linear models (jailbreak, frustration, win)
// trained by scripts/intent/train.ts, plus the policy matcher for `tos_breach` and custom
// labels. In-process, allocation-light, loaded once on first use. Model card: README.md here.
import modelJson from "./model.json";
import {
  createClassifier,
  type IntentClassifier,
  type TClassification,
  type TClassifyOptions,
  type TIntentModelJson,
} from "./create-classifier";
import type { TChatMessage } from "./messages";

export type { TClassification, TClassifyOptions } from "./create-classifier";
export type { TChatMessage } from "./messages";

let builtIn: IntentClassifier | null = null;
const classifier = () => (builtIn ??= createClassifier(modelJson as TIntentModelJson));

/** Labels one text with the built-in model (and the policy matcher when a policy is given). */
export function classifyText(text: string, opts?: TClassifyOptions): TClassification {
  return classifier().classifyText(text, opts);
}

/** Labels the latest user turn of a chat request (string or OpenAI/Anthropic messages). */
export function classifyMessages(input: string | readonly TChatMessage[], opts?: TClassifyOptions): TClassification {
  return classifier().classifyMessages(input, opts);
}
