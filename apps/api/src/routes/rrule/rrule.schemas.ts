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

export const PreviewEnd = Type.Object(
  {
    reason: Type.Enum(['limit', 'window', 'rule_ended'], {
      description:
        '`limit`: more occurrences follow the last one listed; `window`: none are left before `to`, more come ' +
        'after it; `rule_ended`: the rule has no more (COUNT or UNTIL reached).',
    }),
    next: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'The first occurrence after the list; null when the rule has ended.',
    }),
    before_from: Type.Boolean({
      description: 'DTSTART is before `from` (now by default) and the occurrences before `from` are not listed.',
    }),
    message: Type.String({ description: 'The same, for people.' }),
  },
  { description: 'Why the list ends where it does: an empty or short list always says why.' },
);

export const PreviewResponse = Type.Object({
  rrule: Type.String({ description: 'The rule as sent.' }),
  canonical_rrule: Type.String({ description: 'Canonical rule text as it would be stored (DTSTART included).' }),
  timezone: Type.String(),
  warnings: Type.Array(Type.String()),
  occurrences: Occurrences,
  end: PreviewEnd,
});
