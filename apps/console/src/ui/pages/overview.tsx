import { formatDuration } from '../../lib/format.js';
import { DeliveriesChart, LatenessChart, OUTCOMES } from '../charts.js';
import { useConsole } from '../context.js';
import { useLoad } from '../hooks.js';
import { ErrorMessage, Loading } from '../widgets.js';

const REFRESH_MS = 15_000;

/** The last hour at a glance: outcomes per minute and the lateness distribution (GET /api/stats/deliveries). */
export function Overview() {
  const { api } = useConsole();
  const stats = useLoad(() => api.deliveryStats(), [api], REFRESH_MS);
  const data = stats.data;
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      <p class="muted">Deliveries that finished in the last hour. Refreshes every 15 seconds.</p>
      <ErrorMessage error={stats.error} title="Could not load the statistics" />
      {!data ? (
        <Loading what="statistics" />
      ) : (
        <>
          {data.truncated ? (
            <p class="notice">More deliveries finished than one answer reads: the figures cover the newest 50,000.</p>
          ) : null}
          <section aria-labelledby="totals-heading">
            <h2 id="totals-heading">Last hour</h2>
            <dl class="tiles">
              {OUTCOMES.map((o) => (
                <div key={o.key} class={`tile tile-${o.key}`}>
                  <dt>{o.label}</dt>
                  <dd>{data.totals[o.key]}</dd>
                </div>
              ))}
              <div class="tile">
                <dt>Lateness p50</dt>
                <dd>{formatDuration(data.lateness.p50_ms)}</dd>
              </div>
              <div class="tile">
                <dt>p90</dt>
                <dd>{formatDuration(data.lateness.p90_ms)}</dd>
              </div>
              <div class="tile">
                <dt>p99</dt>
                <dd>{formatDuration(data.lateness.p99_ms)}</dd>
              </div>
              <div class="tile">
                <dt>Max</dt>
                <dd>{formatDuration(data.lateness.max_ms)}</dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="charts-heading">
            <h2 id="charts-heading">Charts</h2>
            <div class="charts">
              <DeliveriesChart stats={data} />
              <LatenessChart stats={data} />
            </div>
          </section>
        </>
      )}
    </>
  );
}
