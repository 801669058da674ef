import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** Command-line flags shared by every benchmark: `--smoke` (tiny sizes for CI) and `--no-write`. */
export function benchArgs(argv = process.argv.slice(2)) {
  return { smoke: argv.includes('--smoke'), write: !argv.includes('--no-write') && !argv.includes('--smoke') };
}

/**
 * Writes `bench/results/<date>-<name>.json` and replaces this benchmark's section of
 * docs/benchmarks.md (between its markers), so the page always shows the latest run.
 */
export function publish(
  name: string,
  result: unknown,
  markdown: string,
  extraFiles: Record<string, string> = {},
): void {
  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(`${BENCH_ROOT}results`, { recursive: true });
  const file = `${BENCH_ROOT}results/${date}-${name}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ name, date: new Date().toISOString(), machine: describeMachine(), result }, null, 2)}\n`,
  );
  for (const [path, content] of Object.entries(extraFiles)) {
    const target = fileURLToPath(new URL(`../../../${path}`, import.meta.url));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  let doc = readFileSync(DOC, 'utf8');
  const section = `${start}\n${markdown.trim()}\n\n_Last run ${date} on ${machineLine()}; raw figures in \`bench/results/${date}-${name}.json\`._\n${end}`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  doc =
    from >= 0 && to > from
      ? doc.slice(0, from) + section + doc.slice(to + end.length)
      : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(DOC, doc);
  console.log(`wrote ${file} and docs/benchmarks.md`);
}

export function machineLine(m = describeMachine()): string {
  return `${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`;
}

/** A Markdown table from rows of cells. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Median and range of repeated measurements, as "median (min–max)". */
export function medianRange(values: number[], digits = 1): { median: number; min: number; max: number; text: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? (sorted[Math.floor(mid)] ?? Number.NaN)
        : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  const min = sorted[0] ?? Number.NaN;
  const max = sorted.at(-1) ?? Number.NaN;
  return { median, min, max, text: `${median.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})` };
}
