import { PageHeader } from "@/app/_components/ui";
import { AlertsCard } from "./alerts-card";
import { ChannelsCard } from "./channels-card";
import { DeliveriesCard } from "./deliveries-card";
import { PlanNotice } from "./plan-notice";

export default function AlertsPage() {
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Threshold alerts on usage and cost, sent once per window to e-mail, Slack or a signed webhook."
      />
      <PlanNotice />
      <div className="space-y-6">
        <AlertsCard />
        <ChannelsCard />
        <DeliveriesCard />
      </div>
    </>
  );
}
