import { RulesView } from "./rules-view";

export default function RulesPage() {
  return <RulesView />;
}
