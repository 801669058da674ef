/** One line on the chart: a label and [percentile, milliseconds] points. */
export interface Series {
  label: string;
  points: [number, number][];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/**
 * A latency-by-percentile chart (the usual HDR plot) as standalone SVG: x is the percentile on a
 * 1/(1-p) log scale (so p99 and p99.9 get room), y is milliseconds on a log scale.
 */
export function percentileChart(title: string, series: Series[]): string {
  const width = 760;
  const height = 420;
  const left = 60;
  const right = 190;
  const top = 36;
  const bottom = 50;
  const xOf = (p: number) => Math.log10(1 / (1 - Math.min(p, 99.99) / 100));
  const xMax = xOf(99.99);
  const values = series.flatMap((s) => s.points.map(([, ms]) => Math.max(ms, 0.1)));
  const yMin = Math.log10(Math.max(0.1, Math.min(...values)));
  const yMax = Math.log10(Math.max(...values) * 1.2);
  const px = (p: number) => left + (xOf(p) / xMax) * (width - left - right);
  const py = (ms: number) =>
    top + (1 - (Math.log10(Math.max(ms, 0.1)) - yMin) / Math.max(yMax - yMin, 1e-9)) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
  ];
  for (const p of [0, 50, 90, 99, 99.9, 99.99]) {
    const x = px(p).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${height - bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${x}" y="${height - bottom + 16}" text-anchor="middle">p${p}</text>`);
  }
  for (let e = Math.floor(yMin); e <= Math.ceil(yMax); e++) {
    const ms = 10 ** e;
    if (Math.log10(ms) < yMin - 1e-9 || Math.log10(ms) > yMax) continue;
    const y = py(ms).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${ms >= 1 ? ms : ms.toFixed(1)} ms</text>`,
    );
  }
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">percentile</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.map(([p, ms], j) => `${j ? 'L' : 'M'}${px(p).toFixed(1)},${py(ms).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const ly = top + 14 + i * 18;
    parts.push(
      `<line x1="${width - right + 12}" x2="${width - right + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${width - right + 38}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A line chart of y against x (linear scales from 0) as standalone SVG: one line per series. */
export function lineChart(title: string, axes: { x: string; y: string }, series: Series[]): string {
  const width = 640;
  const height = 380;
  const left = 70;
  const right = 170;
  const top = 36;
  const bottom = 50;
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  const xMax = Math.max(...xs, 1);
  const yMax = Math.max(...ys, 1) * 1.1;
  const px = (x: number) => left + (x / xMax) * (width - left - right);
  const py = (y: number) => top + (1 - y / yMax) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${title}</text>`,
    `<line x1="${left}" y1="${py(0)}" x2="${px(xMax)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${left}" y1="${py(0)}" x2="${left}" y2="${top}" stroke="#333"/>`,
    `<text x="${(left + px(xMax)) / 2}" y="${height - 12}" text-anchor="middle">${axes.x}</text>`,
    `<text x="16" y="${(top + py(0)) / 2}" transform="rotate(-90 16 ${(top + py(0)) / 2})" text-anchor="middle">${axes.y}</text>`,
  ];
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<text x="${px(x)}" y="${py(0) + 16}" text-anchor="middle">${x}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 4) * i;
    parts.push(`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${Math.round(y)}</text>`);
    parts.push(`<line x1="${left}" y1="${py(y)}" x2="${px(xMax)}" y2="${py(y)}" stroke="#eee"/>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const path = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of s.points) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="3" fill="${color}"/>`);
    parts.push(`<text x="${width - right + 12}" y="${top + 16 * i + 10}" fill="${color}">${s.label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
