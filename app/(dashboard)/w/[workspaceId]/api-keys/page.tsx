import { ApiKeysView } from "./api-keys-view";

export default function ApiKeysPage() {
  return <ApiKeysView />;
}
