// Builds a classifier from a model object; the built-in one (classifier.ts) uses model.json,
// training and evaluation pass their own.
import {
  HASH_BITS,
  hasHarmWord,
  LM_TABLE_SIZE,
  MAX_CHARS,
  prepareText,
  revealedForModel,
  vectorOf,
  WINDOW_CHARS,
  windowBounds,
  windowScore,
} from "./features";
import { isRequest } from "./hidden-text";
import { base64ToBytes, decodeLinearModel, linearScore, sigmoid, type LinearModel, type TLinearModelJson } from "./linear";
import { latestUserText, type TChatMessage } from "./messages";
import { cachedCustomLabelTerms, matchTerms, policyTerms, stemsOf } from "./policy";

export const MODEL_LABELS = ["jailbreak", "frustration", "win"] as const;
export type TModelLabel = (typeof MODEL_LABELS)[number];

export interface TIntentModelJson {
  version: number;
  /** The feature settings the weights were trained with; must match features.ts. */
  features: { hashBits: number; maxChars: number; windowChars: number };
  models: Record<TModelLabel, TLinearModelJson>;
  /** The character language model of features.ts (base64 of LM_TABLE_SIZE bytes), trained on benign rows. */
  charLm?: string;
  /**
   * The optimised-suffix head: a logistic regression on the dense features alone (character-LM
   * surprise, token soup, code cues), threshold folded into the bias; the jailbreak logit is the
   * highest of it, the whole text and the windows.
   */
  suffix?: { bias: number; dense: number[] };
}

export interface TClassifyOptions {
  /** The workspace's usage policy; enables `tos_breach` (see policy.ts for what it can read). */
  policy?: string | null;
  customLabels?: { name: string; description: string }[];
}

export interface TClassification {
  /** Labels found, or ["safe"] when none is. */
  labels: string[];
  /** Per-label scores in [0, 1]; a model label fires at >= 0.5 (its threshold is in the bias). */
  scores: Record<string, number>;
}

export interface IntentClassifier {
  classifyText(text: string, opts?: TClassifyOptions): TClassification;
  classifyMessages(input: string | readonly TChatMessage[], opts?: TClassifyOptions): TClassification;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
/**
 * The jailbreak logit of a request hidden in an encoding (hidden-text.ts) that the model does not
 * score higher itself: sigmoid(2) = 0.88. Hiding a request from a reader is the evasion.
 */
const HIDDEN_REQUEST_LOGIT = 2;

export function createClassifier(json: TIntentModelJson): IntentClassifier {
  const f = json.features;
  if (f.hashBits !== HASH_BITS || f.maxChars !== MAX_CHARS || f.windowChars !== WINDOW_CHARS) {
    throw new Error("intent model: trained with other feature settings; run npm run train:intent");
  }
  let models: Record<TModelLabel, LinearModel> | null = null;
  let charLm: Uint8Array | null = null;
  const load = () => {
    if (!models && json.charLm) {
      charLm = base64ToBytes(json.charLm);
      if (charLm.length !== LM_TABLE_SIZE) throw new Error("intent model: character LM of the wrong size");
    }
    return (models ??= {
      jailbreak: decodeLinearModel(json.models.jailbreak),
      frustration: decodeLinearModel(json.models.frustration),
      win: decodeLinearModel(json.models.win),
    });
  };

  function classifyText(text: string, opts: TClassifyOptions = {}): TClassification {
    // Normalised first: a message of invisible tag characters spells out words. Then what is
    // hidden in an encoding is decoded, and encoded data that is no text left out (hidden-text.ts).
    const { text: t, hidden } = revealedForModel(text);
    // No words, no intent: the models' biases alone must not label an empty message.
    if (!/[\p{L}\p{N}\p{So}]/u.test(t)) return { labels: ["safe"], scores: { jailbreak: 0, frustration: 0, win: 0, safe: 1 } };
    const m = load();
    prepareText(t, charLm);
    const fv = vectorOf(0, t.length);
    const logits: Record<TModelLabel, number> = {
      jailbreak: linearScore(m.jailbreak, fv),
      frustration: linearScore(m.frustration, fv),
      win: linearScore(m.win, fv),
    };
    // Jailbreak takes the highest of the whole text and its windows (an injection is often one
    // sentence in a long benign document). The windows reuse the prepared text, so they go last.
    if (json.suffix) {
      let z = json.suffix.bias;
      for (let k = 0; k < json.suffix.dense.length; k++) z += json.suffix.dense[k] * fv.dense[k];
      logits.jailbreak = Math.max(logits.jailbreak, z);
    }
    const bounds = windowBounds(t);
    for (let k = 0; k < bounds.length; k += 2) {
      logits.jailbreak = Math.max(logits.jailbreak, windowScore(m.jailbreak, bounds[k], bounds[k + 1]));
    }
    // A request hidden in base64, hex, reversed or shifted letters is a jailbreak (a plain harmful
    // request is not one; the same request hidden from the filter is), and so is harm hidden so.
    for (const h of hidden) {
      if (isRequest(h.text) || hasHarmWord(h.text)) logits.jailbreak = Math.max(logits.jailbreak, HIDDEN_REQUEST_LOGIT);
    }
    const scores: Record<string, number> = {};
    const labels: string[] = [];
    for (const label of MODEL_LABELS) {
      const p = sigmoid(logits[label]);
      scores[label] = round(p);
      if (p >= 0.5) labels.push(label);
    }
    // frustration and win contradict each other; keep the stronger.
    if (labels.includes("frustration") && labels.includes("win")) {
      labels.splice(labels.indexOf(scores.frustration >= scores.win ? "win" : "frustration"), 1);
    }
    scores.safe = round(1 - scores.jailbreak);
    // The policy matcher reads the same bounded window as the models, stemmed once for the
    // policy and every custom label: its cost must not grow with the input or the label count.
    const customLabels = opts.customLabels ?? [];
    if (opts.policy || customLabels.length > 0) {
      const present = stemsOf(t);
      if (opts.policy) {
        const { score } = matchTerms(policyTerms(opts.policy), present);
        scores.tos_breach = round(score);
        if (score >= 1) labels.push("tos_breach");
      }
      for (const custom of customLabels) {
        const { score } = matchTerms(cachedCustomLabelTerms(custom.name, custom.description), present);
        scores[custom.name] = round(score);
        if (score >= 1 && !labels.includes(custom.name)) labels.push(custom.name);
      }
    }
    return { labels: labels.length > 0 ? labels : ["safe"], scores };
  }

  return {
    classifyText,
    classifyMessages: (input, opts) => classifyText(latestUserText(input), opts),
  };
}
