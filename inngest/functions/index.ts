import { deliverAlert } from "./deliver-alert";
import { evaluateAlerts } from "./evaluate-alerts";
import { housekeeping } from "./housekeeping";
import { labelEvent } from "./label-event";
import { reportUsage } from "./report-usage";
import { retentionCleanup } from "./retention-cleanup";

export const functions = [evaluateAlerts, labelEvent, deliverAlert, retentionCleanup, housekeeping, reportUsage];
