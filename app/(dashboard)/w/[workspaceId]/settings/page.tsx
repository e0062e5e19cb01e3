import { MembersCard } from "./members-card";
import { SettingsView } from "./settings-view";

export default function SettingsPage() {
  return (
    <>
      <SettingsView />
      <div className="mt-6">
        <MembersCard />
      </div>
    </>
  );
}
