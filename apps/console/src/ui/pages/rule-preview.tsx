import type { ApiError } from '../../lib/api.js';
import { formatInstant, formatWallTime } from '../../lib/format.js';
import type { Preview } from '../../lib/types.js';

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const DST_NOTES = {
  gap_shifted: 'moved forward: this local time does not exist that day',
  fold: 'this local time happens twice that day: the first one',
} as const;

/** The next occurrences of the rule being typed, in its zone and in the viewer's. */
export function RulePreview({ preview, error, busy }: { preview?: Preview; error?: ApiError; busy: boolean }) {
  return (
    <section class="preview" aria-labelledby="preview-heading" aria-busy={busy}>
      <h2 id="preview-heading">Preview</h2>
      <div aria-live="polite">
        {!preview && !error ? <p class="muted">Type a rule to see its next occurrences.</p> : null}
        {error ? <p class="muted">No preview while the rule has errors.</p> : null}
        {preview && !error ? (
          <>
            <p>
              Runs in <strong>{preview.timezone}</strong>; next {preview.occurrences.length} occurrence
              {preview.occurrences.length === 1 ? '' : 's'}:
            </p>
            {preview.warnings.length ? (
              <ul class="warnings">
                {preview.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
            {preview.occurrences.length === 0 ? (
              <p class="muted">The rule fires no more.</p>
            ) : (
              <div class="table-wrap">
                <table id="preview-table">
                  <thead>
                    <tr>
                      <th scope="col">In {preview.timezone}</th>
                      <th scope="col">Your time ({viewerZone()})</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.occurrences.map((o) => (
                      <tr key={o.at}>
                        <td>
                          {formatWallTime(o.local, o.offset)}
                          {o.dst ? <span class="dst"> · {DST_NOTES[o.dst]}</span> : null}
                        </td>
                        <td>{formatInstant(o.at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        ) : null}
      </div>
    </section>
  );
}
