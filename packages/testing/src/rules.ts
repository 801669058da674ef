/** An every-`seconds` UTC rule (canonical text) starting at `start`, cut to whole seconds. */
export function everySeconds(seconds: number, start: Date): string {
  const stamp = start
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `DTSTART:${stamp}\nRRULE:FREQ=SECONDLY;INTERVAL=${seconds}`;
}
