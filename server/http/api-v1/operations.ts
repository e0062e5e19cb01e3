import * as activeUsers from "./ops/active-users";
import * as admin from "./ops/admin";
import * as alerts from "./ops/alerts";
import * as auditLogs from "./ops/audit-logs";
import * as cohorts from "./ops/cohorts";
import * as breakdown from "./ops/breakdown";
import * as endUsers from "./ops/end-users";
import * as events from "./ops/events";
import * as guardrails from "./ops/guardrails";
import * as keys from "./ops/keys";
import * as labels from "./ops/labels";
import * as modelPrices from "./ops/model-prices";
import * as ruleShadow from "./ops/rule-shadow";
import * as sdk from "./ops/sdk";
import * as segments from "./ops/segments";
import * as usage from "./ops/usage";
import type { AnyOperation } from "./define";

/** Every operation of the public API, in the order the reference shows them. */
export const OPERATIONS: AnyOperation[] = [
  sdk,
  usage,
  breakdown,
  activeUsers,
  endUsers,
  segments,
  cohorts,
  guardrails,
  ruleShadow,
  labels,
  modelPrices,
  alerts,
  events,
  keys,
  admin,
  auditLogs,
].flatMap((m) => Object.values(m));
