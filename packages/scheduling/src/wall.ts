/**
 * Wall-clock values are plain numbers: the local date and time read *as if* it were UTC, in
 * milliseconds ("floating" time). Rule math runs on them, so it never sees a DST transition.
 */
export type WallMs = number;

const DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/;
const DATE_ONLY = /^(\d{4})(\d{2})(\d{2})$/;

export interface ParsedStamp {
  /** Floating wall time (or the instant itself when `utc`). */
  readonly wall: WallMs;
  readonly utc: boolean;
  readonly dateOnly: boolean;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function buildWall(y: number, mo: number, d: number, h: number, mi: number, s: number): WallMs | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear keeps years 0-99 literal, unlike Date.UTC.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

/** Parses `YYYYMMDD` or `YYYYMMDDTHHMMSS[Z]`; undefined when malformed or not a real date. */
export function parseStamp(text: string): ParsedStamp | undefined {
  const dt = DATE_TIME.exec(text);
  if (dt) {
    const [, y, mo, d, h, mi, s, z] = dt.map((part) => part ?? '');
    const wall = buildWall(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
    return wall === undefined ? undefined : { wall, utc: z === 'Z', dateOnly: false };
  }
  const date = DATE_ONLY.exec(text);
  if (date) {
    const [, y, mo, d] = date.map((part) => part ?? '');
    const wall = buildWall(Number(y), Number(mo), Number(d), 0, 0, 0);
    return wall === undefined ? undefined : { wall, utc: false, dateOnly: true };
  }
  return undefined;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYYMMDDTHHMMSS`, the iCalendar basic format, without zone suffix. */
export function formatStamp(wall: WallMs): string {
  const d = new Date(wall);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/** `YYYY-MM-DDTHH:MM:SS`, the ISO local form used in previews. */
export function formatIsoLocal(wall: WallMs): string {
  return new Date(wall).toISOString().slice(0, 19);
}

/** `+HH:MM` / `-HH:MM` (seconds are kept when a zone has them, as in LMT). */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const total = Math.abs(Math.round(offsetMs / 1000));
  const hm = `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}`;
  return total % 60 === 0 ? `${sign}${hm}` : `${sign}${hm}:${pad(total % 60)}`;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
