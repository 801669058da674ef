import Type from 'typebox';
import { Occurrences, OccurrencesQuery } from '../schedules/schedules.schemas.js';

export const PreviewBody = Type.Object(
  {
    rrule: Type.String({ minLength: 1, maxLength: 4000, description: 'The rule, as for a schedule.' }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Default UTC.' })),
    ...OccurrencesQuery.properties,
  },
  { additionalProperties: false, title: 'PreviewRule' },
);

export const PreviewResponse = Type.Object({
  rrule: Type.String({ description: 'Canonical rule text as it would be stored (DTSTART included).' }),
  timezone: Type.String(),
  warnings: Type.Array(Type.String()),
  occurrences: Occurrences,
});
