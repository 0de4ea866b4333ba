import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, Header, Field, Problem, CHANNELS } from '../ui.js';
import { Chart } from '../chart.js';

const STEPS = ['sent', 'delivered', 'opened', 'clicked'];
const day = d => d.toISOString().slice(0, 10);

/** The funnel queued -> sent -> delivered -> opened -> clicked per template and channel, and rates over time. */
export function Stats() {
  const [form, setForm] = useState({ from: day(new Date(Date.now() - 6 * 864e5)), to: day(new Date()), template: '', channel: '' });
  const [applied, setApplied] = useState(form);
  const [rows, setRows] = useState(null);
  const [series, setSeries] = useState(null);

  useEffect(() => {
    api('GET', 'stats' + query({ from: applied.from, to: applied.to })).then(r => setRows(r.ok ? r.data.rows : { problem: r.data }));
    api('GET', 'stats/series' + query({ template: applied.template, channel: applied.channel, from: applied.from + 'T00:00:00Z', to: applied.to + 'T23:59:59Z', interval: 'PT1H' }))
      .then(r => setSeries(r.ok ? r.data.buckets : { problem: r.data }));
  }, [JSON.stringify(applied)]);

  const set = k => e => setForm({ ...form, [k]: e.target.value });
  const shown = rows && !rows.problem ? rows.filter(r => (!applied.template || r.template === applied.template) && (!applied.channel || r.channel === applied.channel)) : [];
  let chart = null;
  if (series && !series.problem) {
    const x = series.map(b => Date.parse(b.start) / 1000);
    const rate = (a, b) => series.map(s => s[b] ? +(100 * s[a] / s[b]).toFixed(1) : null);
    chart = html`<${Chart} id="funnel-counts" title="Funnel per hour" x=${x} unit="deliveries"
        series=${['queued', ...STEPS].map(k => ({ label: k, values: series.map(s => s[k] ?? 0) }))} />
      <${Chart} id="funnel-rates" title="Rates per hour (%)" x=${x} unit="%"
        series=${[{ label: 'delivered / sent', values: rate('delivered', 'sent') }, { label: 'opened / delivered', values: rate('opened', 'delivered') }, { label: 'clicked / delivered', values: rate('clicked', 'delivered') }]} />`;
  }
  return html`
    <${Header} title="Stats" scope="admin" />
    <form class="filters" onSubmit=${e => { e.preventDefault(); setApplied(form); }}>
      <${Field} id="s-from" label="From (day, UTC)"><input id="s-from" type="date" value=${form.from} onInput=${set('from')} required /><//>
      <${Field} id="s-to" label="To (day, UTC)"><input id="s-to" type="date" value=${form.to} onInput=${set('to')} required /><//>
      <${Field} id="s-template" label="Template"><input id="s-template" value=${form.template} onInput=${set('template')} /><//>
      <${Field} id="s-channel" label="Channel"><select id="s-channel" value=${form.channel} onChange=${set('channel')}><option value="">any</option>${CHANNELS.map(c => html`<option>${c}</option>`)}</select><//>
      <div class="actions"><button type="submit">Show</button></div>
    </form>
    ${!rows ? html`<p>Loading…</p>` : rows.problem ? html`<${Problem} problem=${rows.problem} />` : html`
      <table class="grid funnel"><caption>Funnel per template and channel</caption>
        <thead><tr><th scope="col">Template</th><th scope="col">Channel</th>${['queued', ...STEPS].map(s => html`<th scope="col">${s}</th>`)}<th scope="col">Failed</th></tr></thead>
        <tbody>${shown.map(r => html`<tr><td>${r.template}</td><td>${r.channel}</td>
          ${['queued', ...STEPS].map(s => html`<td><span class="bar" style=${{ width: (r.queued ? Math.round(60 * Math.min(r[s], r.queued) / r.queued) : 0) + 'px' }}></span> ${r[s]}</td>`)}<td>${r.failed}</td></tr>`)}</tbody></table>
      ${shown.length === 0 && html`<p class="muted">Nothing sent in these days.</p>`}`}
    ${!series ? null : series.problem ? html`<${Problem} problem=${series.problem} />` : chart}`;
}
