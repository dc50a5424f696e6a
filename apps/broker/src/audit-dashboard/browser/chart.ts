import { OUTCOMES, type Outcome } from '../dashboard.constants.js';
import { api } from './api.js';
import { $, el, svg } from './dom.js';
import { filterParams } from './filters.js';
import { latest } from './state.js';
import type { StatsPage, StatsRow } from './types.js';

const DAY_MS = 86400000;
const HUES: Readonly<Record<Outcome, number>> = { ok: 145, denied: 36, failed: 4 };

const chart = $('#chart', HTMLElement);
const plot = $('#chart-plot', HTMLElement);
const legend = $('#chart-legend', HTMLElement);
const caption = $('#chart-caption', HTMLElement);

/** The filters' from/to, else the last 30 days. */
function chartRange(): { from: Date; to: Date } {
  const params = filterParams();
  const toParam = params.get('to');
  const fromParam = params.get('from');
  const to = toParam !== null ? new Date(toParam) : new Date();
  const from = fromParam !== null ? new Date(fromParam) : new Date(to.getTime() - 30 * DAY_MS);
  return { from, to };
}

/** The UTC days (YYYY-MM-DD) from the one holding `from` up to `to`. */
function daysBetween(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = Math.floor(from.getTime() / DAY_MS) * DAY_MS; t < to.getTime(); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

function colour(outcome: Outcome, bankIndex: number): string {
  return 'hsl(' + HUES[outcome] + ', 58%, ' + (34 + (bankIndex % 4) * 12) + '%)';
}

/** A 1-2-5 step for about four grid lines up to `max`. */
function niceStep(max: number): number {
  const rough = Math.max(1, max / 4);
  const magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  return Math.max(1, Math.ceil(step));
}

function renderChart(rows: StatsRow[], from: Date, to: Date): void {
  plot.replaceChildren();
  legend.replaceChildren();
  // Enterprises are summed: the chart shows day × bank × outcome.
  const counts = new Map<string, number>();
  let total = 0;
  for (const row of rows) {
    const key = row.day + '|' + row.bank_id + '|' + row.outcome;
    counts.set(key, (counts.get(key) || 0) + row.count);
    total += row.count;
  }
  const days = daysBetween(from, to);
  const banks = [...new Set(rows.map((r) => r.bank_id))].sort();
  caption.textContent =
    total + (total === 1 ? ' distribution' : ' distributions') + ' from ' + days[0] + ' to ' + days[days.length - 1] + ' (UTC days; bars grouped by bank, stacked by outcome).';
  if (total === 0) {
    plot.append(el('p', { class: 'muted' }, 'No distributions in this range.'));
    return;
  }
  // Fill the panel's width when the days fit; otherwise keep bars readable and let the panel scroll.
  const left = 44,
    right = 10,
    top = 12,
    height = 200,
    bottom = 28;
  const available = (plot.clientWidth || 900) - left - right;
  const groupWidth = Math.max(banks.length * 8 + 6, available / days.length);
  const groupGap = Math.max(4, groupWidth * 0.25);
  const barWidth = Math.min(28, (groupWidth - groupGap) / banks.length);
  const width = Math.ceil(left + days.length * groupWidth + right);
  let max = 1;
  for (const day of days) {
    for (const bank of banks) {
      max = Math.max(max, OUTCOMES.reduce((sum, o) => sum + (counts.get(day + '|' + bank + '|' + o) || 0), 0));
    }
  }
  const step = niceStep(max);
  const yMax = Math.ceil(max / step) * step;
  const y = (value: number): number => top + height - (value / yMax) * height;
  const root = svg('svg', { width, height: top + height + bottom, viewBox: '0 0 ' + width + ' ' + (top + height + bottom), role: 'img', 'aria-label': 'Distributions per day' });
  for (let v = 0; v <= yMax; v += step) {
    root.append(svg('line', { class: v === 0 ? 'axis' : 'grid', x1: left, x2: width - right, y1: y(v), y2: y(v) }));
    root.append(svg('text', { x: left - 6, y: y(v) + 3, 'text-anchor': 'end' }, String(v)));
  }
  const labelEvery = Math.max(1, Math.ceil(48 / groupWidth));
  days.forEach((day, d) => {
    const middle = left + (d + 0.5) * groupWidth;
    const x0 = middle - (banks.length * barWidth) / 2;
    if (d % labelEvery === 0) root.append(svg('text', { x: middle, y: top + height + 16, 'text-anchor': 'middle' }, day.slice(5)));
    banks.forEach((bank, b) => {
      let base = 0;
      for (const outcome of OUTCOMES) {
        const count = counts.get(day + '|' + bank + '|' + outcome) || 0;
        if (count === 0) continue;
        const rect = svg('rect', {
          class: 'bar',
          x: x0 + b * barWidth,
          y: y(base + count),
          width: Math.max(1, barWidth - 1),
          height: y(base) - y(base + count),
          fill: colour(outcome, b),
          'data-day': day,
          'data-bank': bank,
          'data-outcome': outcome,
          'data-count': count,
        });
        rect.append(svg('title', {}, day + ' · ' + bank + ' · ' + outcome + ': ' + count));
        root.append(rect);
        base += count;
      }
    });
  });
  plot.append(root);
  banks.forEach((bank, b) => {
    for (const outcome of OUTCOMES) {
      if (!rows.some((r) => r.bank_id === bank && r.outcome === outcome && r.count > 0)) continue;
      const swatch = svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' });
      swatch.append(svg('rect', { width: 12, height: 12, rx: 2, fill: colour(outcome, b) }));
      const item = el('li');
      item.append(swatch, document.createTextNode(bank + ' · ' + outcome));
      legend.append(item);
    }
  });
}

export async function loadChart(): Promise<void> {
  const ticket = ++latest.chart;
  chart.setAttribute('aria-busy', 'true');
  try {
    const { from, to } = chartRange();
    const params = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), group_by: 'day' });
    const body = await api<StatsPage>('GET', '/v1/audit/stats?' + params.toString());
    if (ticket === latest.chart) renderChart(body.data, from, to);
  } finally {
    if (ticket === latest.chart) chart.setAttribute('aria-busy', 'false');
  }
}

export function clearChart(): void {
  plot.replaceChildren();
  legend.replaceChildren();
  caption.textContent = '';
  chart.setAttribute('aria-busy', 'false');
}
