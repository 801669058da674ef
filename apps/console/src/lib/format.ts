/** Formatting of instants, durations and counts for people; `zone` undefined means the viewer's zone. */

export function formatInstant(iso: string | null | undefined, zone?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
    timeZoneName: 'short',
  }).format(date);
}

/** A local wall time as the API gives it (`2026-03-08T02:30:00`), shown like formatInstant. */
export function formatWallTime(local: string, offset: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(local);
  if (!match) return `${local} ${offset}`;
  const [, y, mo, d, h, mi, s] = match;
  const month = MONTHS[Number(mo) - 1] ?? mo;
  return `${d} ${month} ${y}, ${h}:${mi}:${s} (UTC${offset})`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Milliseconds for people: `850 ms`, `1.2 s`, `3 min 5 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return `${sign}${minutes} min${seconds ? ` ${seconds} s` : ''}`;
}

/** `in 59 s`, `in 5 min`, `3 h 20 min ago`, `in 2 days`, relative to `now`, to the second. */
export function formatRelative(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const delta = new Date(iso).getTime() - now;
  const seconds = Math.round(Math.abs(delta) / 1000);
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  const text =
    days >= 2
      ? `${days} days`
      : hours >= 1
        ? `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`
        : minutes >= 1
          ? `${minutes} min`
          : `${seconds} s`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** A histogram bound for an axis label: `≤ 250 ms`, `≤ 2.5 s`, `> 60 s`. */
export function formatBound(leMs: number | null, previous: number | undefined): string {
  if (leMs === null) return `> ${formatShortMs(previous ?? 0)}`;
  return `≤ ${formatShortMs(leMs)}`;
}

function formatShortMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/** The secret with all but its prefix and last four characters hidden. */
export function maskSecret(secret: string): string {
  const prefix = secret.startsWith('whsec_') ? 'whsec_' : '';
  const tail = secret.slice(-4);
  return `${prefix}${'•'.repeat(12)}${tail}`;
}
