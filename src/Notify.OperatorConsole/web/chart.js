import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './ui.js';

const COLORS = ['#1f5fbf', '#b3261e', '#1b7f3b', '#8a4fbf', '#b26a00', '#00708a', '#5a5a5a', '#c2185b'];

/**
 * A line chart (uPlot, drawn on a canvas) of series over time. The figure is labelled and the numbers are also in a
 * table, visually hidden, so the chart is not the only way to read them.
 * x: times in seconds since the epoch; series: [{ label, values }].
 */
export function Chart({ id, title, x, series, unit }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || x.length === 0) return;
    const plot = new uPlot({
      width: Math.max(320, Math.min(900, box.current.clientWidth || 800)),
      height: 240,
      scales: { x: { time: true } },
      axes: [{}, { label: unit }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2 }))],
    }, [x, ...series.map(s => s.values)], box.current);
    return () => plot.destroy();
  }, [JSON.stringify([x, series])]);

  return html`<figure class="chart" aria-labelledby=${id + '-caption'}>
    <figcaption id=${id + '-caption'}>${title}</figcaption>
    ${x.length === 0 ? html`<p class="muted">No samples yet.</p>` : html`<div ref=${box} class="chart-box" data-chart=${id} data-points=${x.length} role="img" aria-label=${title + ': ' + series.map(s => s.label).join(', ')}></div>`}
    <table class="visually-hidden"><caption>${title}</caption>
      <thead><tr><th scope="col">Time</th>${series.map(s => html`<th scope="col">${s.label}</th>`)}</tr></thead>
      <tbody>${x.slice(-20).map((t, i) => html`<tr><td>${new Date(t * 1000).toISOString()}</td>${series.map(s => html`<td>${s.values[x.length - Math.min(20, x.length) + i] ?? ''}</td>`)}</tr>`)}</tbody>
    </table>
  </figure>`;
}
