"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { formatDate, formatDateUtc, formatNumber, formatPercent } from "@/app/_components/format";
import { EmptyState, InlineError, LoadingRows, QueryView } from "@/app/_components/states";
import { Table, TBody, Td, Th } from "@/app/_components/table";
import { Badge, Button, Card, CardHeader, PageHeader, Select } from "@/app/_components/ui";
import { useWorkspace } from "@/app/_components/workspace-context";
import { useTRPC, type RouterOutputs } from "@/lib/trpc/client";

type Billing = RouterOutputs["billing"]["overview"];
/** The one definition of what the plans count (also in the OpenAPI description and the README). */
const TRACKED_REQUEST =
  "A tracked request is one LLM call: a check and the record that settles it count once; a lone check or a lone record once; retries and duplicates never.";
const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function BillingView() {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const billing = useQuery(trpc.billing.overview.queryOptions({ workspaceId: ws.id }));
  const status = useSearchParams().get("checkout");
  return (
    <>
      <PageHeader title="Billing" description="Your plan and this month's tracked requests." />
      {status === "success" && (
        <p className="mb-4 rounded-lg bg-emerald-50 px-4 py-3 text-sm text-emerald-800">
          Thank you: your subscription is being set up. It shows here within a few seconds.
        </p>
      )}
      <QueryView
        query={billing}
        loading={
          <Card>
            <LoadingRows rows={5} />
          </Card>
        }
      >
        {(b) => (
          <div className="space-y-6">
            <div className="grid gap-6 lg:grid-cols-3">
              <PlanCard b={b} />
              <UsageCard b={b} />
            </div>
            <Invoices b={b} />
          </div>
        )}
      </QueryView>
      {!ws.can("billing.manage") && <p className="mt-4 text-sm text-slate-500">Only an owner can change the plan.</p>}
    </>
  );
}

function PlanCard({ b }: { b: Billing }) {
  const ws = useWorkspace();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [plan, setPlan] = useState(b.plan);
  const returnUrl = typeof window === "undefined" ? undefined : window.location.origin;
  const go = { onSuccess: (r: { url: string | null }) => r.url && window.location.assign(r.url) };
  const checkout = useMutation(trpc.billing.checkout.mutationOptions(go));
  const portal = useMutation(trpc.billing.portal.mutationOptions(go));
  const setByHand = useMutation(
    trpc.billing.setPlan.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries();
        router.refresh(); // the sidebar's plan badge comes from the server
      },
    }),
  );
  const owner = ws.can("billing.manage");
  return (
    <Card>
      <CardHeader title="Plan" actions={<Badge color="indigo">{b.planName}</Badge>} />
      <div className="space-y-3 px-5 py-4 text-sm text-slate-600">
        {b.subscriptionStatus && (
          <p>
            Subscription:{" "}
            <Badge color={b.subscriptionStatus === "active" || b.subscriptionStatus === "trialing" ? "green" : "amber"}>
              {b.subscriptionStatus}
            </Badge>
          </p>
        )}
        {b.trialDaysLeft !== null && (
          <p>
            Trial: {b.trialDaysLeft} days left (ends {formatDate(b.trialEndsAt)}).
          </p>
        )}
        {b.graceUntil && <p className="text-amber-700">Payment failed: paid features stay on until {formatDate(b.graceUntil)}.</p>}
        {b.effectivePlan !== b.plan && (
          <p className="text-amber-700">Limits of the {b.effectivePlan} plan apply until the subscription is active again.</p>
        )}
        {b.currentPeriodEnd && <p>Current period ends {formatDate(b.currentPeriodEnd)}.</p>}
        {!b.billingEnabled && <p>Billing is off on this server (self-hosted): an owner sets the plan here.</p>}
        {b.billingEnabled && b.planSource === "operator" && (
          <p data-testid="operator-plan">Your plan was set by Tokenist under a sales agreement: contact us to change it.</p>
        )}
        {owner && b.billingEnabled && b.planSource !== "operator" && (
          <div className="flex flex-wrap gap-2 pt-1">
            {b.plan === "free" || b.subscriptionStatus === "canceled" ? (
              <>
                <Button onClick={() => checkout.mutate({ workspaceId: ws.id, plan: "starter", returnUrl })} disabled={checkout.isPending}>
                  Start Starter trial
                </Button>
                <Button
                  variant="secondary"
                  onClick={() => checkout.mutate({ workspaceId: ws.id, plan: "growth", returnUrl })}
                  disabled={checkout.isPending}
                >
                  Start Growth trial
                </Button>
              </>
            ) : (
              <Button variant="secondary" onClick={() => portal.mutate({ workspaceId: ws.id, returnUrl })} disabled={portal.isPending}>
                Manage subscription
              </Button>
            )}
          </div>
        )}
        {owner && !b.billingEnabled && (
          <form
            className="flex items-center gap-2 pt-1"
            onSubmit={(e) => {
              e.preventDefault();
              setByHand.mutate({ workspaceId: ws.id, plan });
            }}
          >
            <Select aria-label="Plan" value={plan} onChange={(e) => setPlan(e.target.value as typeof plan)} className="w-40">
              {["free", "starter", "growth", "enterprise"].map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </Select>
            <Button type="submit" disabled={setByHand.isPending || plan === b.plan}>
              Set plan
            </Button>
          </form>
        )}
        <InlineError error={checkout.error ?? portal.error ?? setByHand.error} />
      </div>
    </Card>
  );
}

function UsageCard({ b }: { b: Billing }) {
  const { requests, included, resetsAt, projectedRequests } = b.usage;
  const share = included ? Math.min(100, (requests / included) * 100) : 0;
  return (
    <Card className="lg:col-span-2">
      <CardHeader title="This month" description={`Resets ${formatDateUtc(resetsAt)} (UTC)`} />
      <div className="space-y-4 px-5 py-4">
        <div className="flex items-end justify-between">
          <p className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="billing-requests">
            {formatNumber(requests)}{" "}
            <span className="text-base font-normal text-slate-500">/ {included === null ? "custom" : formatNumber(included)} requests</span>
          </p>
          {included !== null && <span className="text-sm text-slate-500">{formatPercent(requests, included)}</span>}
        </div>
        {included !== null && (
          <div className="h-2.5 rounded-full bg-slate-100">
            <div
              className={`h-2.5 rounded-full ${share >= 100 ? "bg-red-500" : share >= 80 ? "bg-amber-500" : "bg-indigo-500"}`}
              style={{ width: `${share}%` }}
            />
          </div>
        )}
        <dl className="grid gap-3 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-500">Projected this month</dt>
            <dd className="font-medium tabular-nums text-slate-900">{formatNumber(projectedRequests)}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Overage so far</dt>
            <dd className="font-medium tabular-nums text-slate-900">{b.hardCap ? "none: hard cap" : usd(b.overageUsd)}</dd>
          </div>
          <div>
            <dt className="text-slate-500">Projected overage</dt>
            <dd className="font-medium tabular-nums text-slate-900">{b.hardCap ? "—" : usd(b.projectedOverageUsd)}</dd>
          </div>
        </dl>
        <p className="text-xs text-slate-500" data-testid="tracked-request-definition">
          {TRACKED_REQUEST}
        </p>
        {b.hardCap && included !== null && requests >= included && (
          <p className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
            The Free plan&apos;s monthly requests are used up: checks keep enforcing your rules and blocklist, but usage is not recorded
            until {formatDateUtc(resetsAt)} (UTC). Change to a paid plan to record it again at once.
          </p>
        )}
      </div>
    </Card>
  );
}

function Invoices({ b }: { b: Billing }) {
  if (!b.billingEnabled) return null;
  return (
    <Card>
      <CardHeader title="Invoices" />
      {b.invoices.length === 0 ? (
        <EmptyState title="No invoices yet" />
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>Date</Th>
              <Th>Number</Th>
              <Th>Status</Th>
              <Th align="right">Total</Th>
              <Th>
                <span className="sr-only">Link</span>
              </Th>
            </tr>
          </thead>
          <TBody>
            {b.invoices.map((i) => (
              <tr key={i.id}>
                <Td>{formatDate(i.created)}</Td>
                <Td>{i.number ?? "—"}</Td>
                <Td>
                  <Badge color={i.status === "paid" ? "green" : "amber"}>{i.status ?? "—"}</Badge>
                </Td>
                <Td align="right">{usd(i.totalUsd)}</Td>
                <Td>
                  {i.url && (
                    <a className="text-indigo-600 hover:underline" href={i.url} target="_blank" rel="noreferrer">
                      View
                    </a>
                  )}
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
