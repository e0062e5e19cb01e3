import { Suspense } from "react";
import { MembersCard } from "./members-card";
import { ModelPricesCard } from "./model-prices-card";
import { RolesCard } from "./roles-card";
import { SettingsView } from "./settings-view";
import { SsoCard } from "./sso-card";

export default function SettingsPage() {
  return (
    <>
      <SettingsView />
      <div className="mt-6">
        <Suspense>
          <ModelPricesCard />
        </Suspense>
      </div>
      <div className="mt-6">
        <MembersCard />
      </div>
      <div className="mt-6">
        <SsoCard />
      </div>
      <div className="mt-6">
        <RolesCard />
      </div>
    </>
  );
}
