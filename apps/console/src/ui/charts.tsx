import { histogram, type Plot, stackedColumns, ticks, yOf } from '../lib/charts.js';
import { formatBound } from '../lib/format.js';
import type { DeliveryStats, Outcome } from '../lib/types.js';

/** Chart series in stacking order, with labels; colours are in styles.css (.series-*). */
export const OUTCOMES: { key: Outcome; label: string }[] = [
  { key: 'succeeded', label: 'Succeeded' },
  { key: 'failed', label: 'Failed' },
  { key: 'skipped', label: 'Skipped' },
  { key: 'cancelled', label: 'Cancelled' },
];

const PLOT: Plot = { width: 720, height: 240, left: 48, bottom: 30, top: 10 };
/** The histogram's bucket labels are slanted, so they keep a readable size under narrow bars. */
const HIST_PLOT: Plot = { ...PLOT, height: 290, bottom: 80 };

const hhmm = (iso: string) =>
  new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

function YAxis({ max, plot = PLOT }: { max: number; plot?: Plot }) {
  return (
    <g class="axis">
      {ticks(max).map((t) => (
        <g key={t}>
          <line x1={plot.left} x2={plot.width} y1={yOf(plot, t, max)} y2={yOf(plot, t, max)} class="grid" />
          <text x={plot.left - 6} y={yOf(plot, t, max) + 5} text-anchor="end">
            {t}
          </text>
        </g>
      ))}
    </g>
  );
}

/** Deliveries per minute, stacked by outcome; the figure's text and table say the same for screen readers. */
export function DeliveriesChart({ stats }: { stats: DeliveryStats }) {
  const { max, columns } = stackedColumns(
    PLOT,
    stats.minutes,
    OUTCOMES.map((o) => o.key),
  );
  const every = 10;
  const summary = OUTCOMES.map((o) => `${stats.totals[o.key]} ${o.label.toLowerCase()}`).join(', ');
  return (
    <figure class="chart">
      <figcaption id="deliveries-caption">
        Deliveries per minute by outcome, {hhmm(stats.from)}–{hhmm(stats.to)}
      </figcaption>
      <ul class="legend">
        {OUTCOMES.map((o) => (
          <li key={o.key}>
            <span class={`swatch swatch-${o.key}`} />
            {o.label}
          </li>
        ))}
      </ul>
      <svg
        viewBox={`0 0 ${PLOT.width} ${PLOT.height}`}
        role="img"
        aria-labelledby="deliveries-caption"
        aria-describedby="deliveries-summary"
      >
        <title>Deliveries per minute by outcome</title>
        <YAxis max={max} />
        {columns.map((column) =>
          column.segments.map((s) => (
            <rect
              key={`${column.index}-${s.series}`}
              x={s.x}
              y={s.y}
              width={s.width}
              height={s.height}
              class={`series-${s.series}`}
            >
              <title>
                {hhmm(stats.minutes[column.index]?.minute ?? stats.from)}: {s.value} {s.series}
              </title>
            </rect>
          )),
        )}
        <g class="axis">
          {stats.minutes.map((m, i) =>
            i % every === 0 ? (
              <text
                key={m.minute}
                x={PLOT.left + (i + 0.5) * ((PLOT.width - PLOT.left) / stats.minutes.length)}
                y={PLOT.height - 8}
                text-anchor="middle"
              >
                {hhmm(m.minute)}
              </text>
            ) : null,
          )}
        </g>
      </svg>
      <p id="deliveries-summary" class="muted">
        In the last hour: {summary}.
      </p>
      <details>
        <summary>Deliveries as a table</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Minute</th>
                {OUTCOMES.map((o) => (
                  <th scope="col" key={o.key}>
                    {o.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {stats.minutes
                .filter((m) => OUTCOMES.some((o) => m[o.key] > 0))
                .map((m) => (
                  <tr key={m.minute}>
                    <th scope="row">{hhmm(m.minute)}</th>
                    {OUTCOMES.map((o) => (
                      <td key={o.key}>{m[o.key]}</td>
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** The lateness histogram: how long after its due time each delivery's first attempt started. */
export function LatenessChart({ stats }: { stats: DeliveryStats }) {
  const buckets = stats.lateness.buckets;
  const labels = buckets.map((b, i) => formatBound(b.le_ms, buckets[i - 1]?.le_ms ?? undefined));
  const { max, bars } = histogram(
    HIST_PLOT,
    buckets.map((b) => b.count),
  );
  const labelY = HIST_PLOT.height - HIST_PLOT.bottom + 18;
  return (
    <figure class="chart">
      <figcaption id="lateness-caption">Lateness of deliveries (first attempt’s start after the due time)</figcaption>
      <svg
        viewBox={`0 0 ${HIST_PLOT.width} ${HIST_PLOT.height}`}
        role="img"
        aria-labelledby="lateness-caption"
        aria-describedby="lateness-summary"
      >
        <title>Lateness of deliveries</title>
        <YAxis max={max} plot={HIST_PLOT} />
        {bars.map((bar, i) => (
          <rect key={labels[i]} x={bar.x} y={bar.y} width={bar.width} height={bar.height} class="series-lateness">
            <title>
              {labels[i]}: {bar.count}
            </title>
          </rect>
        ))}
        <g class="axis">
          {bars.map((bar, i) => (
            <text
              key={labels[i]}
              x={bar.center}
              y={labelY}
              text-anchor="end"
              transform={`rotate(-40 ${bar.center} ${labelY})`}
            >
              {labels[i]}
            </text>
          ))}
        </g>
      </svg>
      <p id="lateness-summary" class="muted">
        {stats.lateness.count} deliveries measured.
      </p>
      <details>
        <summary>Lateness as a table</summary>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Lateness</th>
                <th scope="col">Deliveries</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b, i) => (
                <tr key={labels[i]}>
                  <th scope="row">{labels[i]}</th>
                  <td>{b.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
