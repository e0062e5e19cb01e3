import { countLabels, ZLabelCounts } from "@/server/services/events/count-labels";
import { ZEventFilters } from "@/server/services/events/event-filters";
import { exportEventsCsv } from "@/server/services/events/export-events";
import { getEvent, ZEventId } from "@/server/services/events/get-event";
import { listEvents, ZListEvents } from "@/server/services/events/list-events";
import { router, workspaceProcedure } from "../trpc";

export const eventsRouter = router({
  list: workspaceProcedure.input(ZListEvents).query(({ ctx, input }) => listEvents({ ctx: ctx.service, input })),
  /** One event and its stored payloads (payload viewer). */
  get: workspaceProcedure.input(ZEventId).query(({ ctx, input }) => getEvent({ ctx: ctx.service, id: input.id })),
  labelCounts: workspaceProcedure.input(ZLabelCounts).query(({ ctx, input }) => countLabels({ ctx: ctx.service, input })),
  exportCsv: workspaceProcedure.input(ZEventFilters).query(({ ctx, input }) => exportEventsCsv({ ctx: ctx.service, input })),
});
