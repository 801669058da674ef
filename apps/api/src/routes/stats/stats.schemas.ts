import Type from 'typebox';
import { DateTime } from '../common.schemas.js';

const count = (description: string) => Type.Integer({ minimum: 0, description });

const OutcomeCounts = {
  succeeded: count('Delivered: a 2xx answer.'),
  failed: count('Every attempt failed, or a failure that is not retried.'),
  skipped: count('Not delivered on purpose (misfire or overlap policy).'),
  cancelled: count('Taken back before delivery (the schedule was paused, changed or deleted).'),
};

const NullableMs = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

export const DeliveryStatsResponse = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Start of the first minute counted (a whole minute, UTC).' }),
    to: Type.String({
      format: 'date-time',
      description: 'When the figures were computed (the last minute is partial).',
    }),
    minutes: Type.Array(Type.Object({ minute: DateTime, ...OutcomeCounts }), {
      description: 'Events finished in each minute, by outcome: 60 entries, oldest first, empty minutes included.',
    }),
    totals: Type.Object(OutcomeCounts, { description: 'The same counts over the whole window.' }),
    lateness: Type.Object(
      {
        count: count('Deliveries measured (attempted ones; backfills are left out).'),
        p50_ms: NullableMs('Median lateness; null when nothing was measured.'),
        p90_ms: NullableMs('90th percentile.'),
        p99_ms: NullableMs('99th percentile.'),
        max_ms: NullableMs('Largest lateness.'),
        buckets: Type.Array(
          Type.Object({
            le_ms: Type.Union([Type.Number(), Type.Null()], {
              description: 'Upper bound (inclusive, ms); null for the last bucket: above every bound.',
            }),
            count: Type.Integer({ minimum: 0 }),
          }),
          { description: 'Histogram of the lateness; each delivery counts in the first bucket whose bound holds it.' },
        ),
      },
      { description: 'Lateness of a delivery: its first attempt’s start minus its occurrence time.' },
    ),
    truncated: Type.Boolean({
      description: 'More events finished than one answer reads (50,000): the figures cover the newest of them.',
    }),
  },
  { title: 'DeliveryStats' },
);
