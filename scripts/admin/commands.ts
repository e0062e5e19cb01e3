// The operator's commands behind `npm run admin -- …` (scripts/admin.ts opens the database and
// calls runAdmin). Only argument parsing and printing here: the work is in server/services.
import { parseArgs } from "node:util";
import { ZodError } from "zod";
import type { Db } from "../../db/client";
import { PLANS } from "../../db/schema";
import { ServiceError } from "../../server/services/errors";
import { setPlanByOperator, type OperatorPlanResult, type PlanTermsOf } from "../../server/services/billing/operator-plan";

export const ADMIN_USAGE = `Usage: npm run admin -- <command>

Commands:
  plan <workspace id | owner e-mail> <${PLANS.join("|")}> [--requests N] [--retention-days D]
      Put a workspace on a plan by hand (works with Stripe billing on or off; audited as
      billing.plan_set_by_operator). A paid plan set this way is an operator override: Stripe
      webhooks leave it alone and Checkout is refused; "free" hands the workspace back to
      self-serve billing. --requests (included tracked requests a month) and --retention-days
      apply only to enterprise; a flag left out means the plan's default.
  help
      This text.`;

/** Bad input: printed with the usage, exit code 2. */
export class UsageError extends Error {}

const number = (n: number) => n.toLocaleString("en-US");

function describeVolume(t: PlanTermsOf) {
  if (t.includedRequests === null) return "no monthly volume";
  return `${number(t.includedRequests)} requests a month${t.customRequests ? " (custom)" : ""}`;
}

/** What `plan` prints: the workspace, each term before → after, warnings. */
export function formatPlanResult(r: OperatorPlanResult): string {
  const { before: b, after: a } = r;
  const owners = r.workspace.owners.length ? ` (owner: ${r.workspace.owners.join(", ")})` : "";
  const lines = [
    `Workspace ${r.workspace.id} "${r.workspace.name}"${owners}`,
    `  plan:      ${b.plan} (${b.planSource}${b.subscriptionStatus ? `, Stripe ${b.subscriptionStatus}` : ""}) → ${a.plan} (${a.planSource})`,
    `  requests:  ${describeVolume(b)} → ${describeVolume(a)}`,
    `  retention: ${b.retentionDays} days${b.customRetention ? " (custom)" : ""} → ${a.retentionDays} days${a.customRetention ? " (custom)" : ""}`,
    `  billing:   ${r.billingEnabled ? "Stripe on" : "off"}; audited as billing.plan_set_by_operator (actor: system)`,
    ...r.warnings.map((w) => `Warning: ${w}`),
  ];
  return lines.join("\n");
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const digits = value.replace(/[_,]/g, "");
  if (!/^\d+$/.test(digits) || !Number.isSafeInteger(Number(digits)) || Number(digits) < 1) {
    throw new UsageError(`${flag} must be a whole number above 0 (got "${value}")`);
  }
  return Number(digits);
}

const PLAN_OPTIONS = { requests: { type: "string" }, "retention-days": { type: "string" } } as const;

function parsePlanArgs(args: string[]) {
  try {
    return parseArgs({ args, options: PLAN_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function planCommand(db: Db, args: string[]): Promise<string> {
  const parsed = parsePlanArgs(args);
  const [workspace, plan, ...extra] = parsed.positionals;
  if (!workspace || !plan) throw new UsageError("plan needs a workspace (id or owner e-mail) and a plan");
  if (extra.length) throw new UsageError(`Unexpected argument${extra.length > 1 ? "s" : ""}: ${extra.join(" ")}`);
  if (!(PLANS as readonly string[]).includes(plan)) throw new UsageError(`Unknown plan "${plan}": one of ${PLANS.join(", ")}`);
  const result = await setPlanByOperator(db, {
    workspace,
    plan: plan as (typeof PLANS)[number],
    includedRequests: positiveInt("--requests", parsed.values.requests),
    retentionDays: positiveInt("--retention-days", parsed.values["retention-days"]),
  });
  return formatPlanResult(result);
}

/**
 * Run one admin command; returns what to print and the exit code (0 done, 1 refused by the
 * service: unknown workspace, …; 2 bad usage). Never throws for the operator's mistakes.
 */
export async function runAdmin(db: Db, argv: string[]): Promise<{ code: number; out: string }> {
  const [command, ...args] = argv;
  try {
    if (!command || command === "help" || command === "--help" || command === "-h") return { code: command ? 0 : 2, out: ADMIN_USAGE };
    if (command === "plan") return { code: 0, out: await planCommand(db, args) };
    throw new UsageError(`Unknown command "${command}"`);
  } catch (err) {
    if (err instanceof UsageError) return { code: 2, out: `Error: ${err.message}\n\n${ADMIN_USAGE}` };
    if (err instanceof ZodError) return { code: 2, out: `Error: ${err.issues.map((i) => i.message).join("; ")}\n\n${ADMIN_USAGE}` };
    if (err instanceof ServiceError) return { code: 1, out: `Error: ${err.message}` };
    throw err;
  }
}
