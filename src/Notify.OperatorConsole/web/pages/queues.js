import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Header, Field, Problem } from '../ui.js';
import { Chart } from '../chart.js';

/** Depth and oldest-message age of every channel queue and poison queue, over the last hours (a sample a minute). */
export function Queues() {
  const [hours, setHours] = useState('6');
  const [history, setHistory] = useState(null);
  const [now, setNow] = useState(null);

  useEffect(() => {
    let live = true;
    const load = () => {
      api('GET', 'admin/queues/history?hours=' + encodeURIComponent(hours)).then(r => live && setHistory(r.ok ? r.data.samples : { problem: r.data }));
      api('GET', 'admin/queues').then(r => live && setNow(r.ok ? r.data : { problem: r.data }));
    };
    load();
    const timer = setInterval(load, 60000);
    return () => { live = false; clearInterval(timer); };
  }, [hours]);

  let charts = null;
  if (history && !history.problem) {
    const names = [...new Set(history.flatMap(s => s.queues.map(q => q.name)))].sort();
    const x = history.map(s => Date.parse(s.at) / 1000);
    const pick = (field) => names.map(name => ({ label: name, values: history.map(s => s.queues.find(q => q.name === name)?.[field] ?? null) }));
    charts = html`<${Chart} id="queue-depth" title="Messages waiting per queue" x=${x} series=${pick('length')} unit="messages" />
      <${Chart} id="queue-age" title="Age of the oldest message per queue (seconds)" x=${x} series=${pick('oldestAgeSeconds')} unit="seconds" />`;
  }
  const rows = now && !now.problem ? (now.queues || []) : [];
  return html`
    <${Header} title="Queues" scope="admin" />
    <form class="inline" onSubmit=${e => e.preventDefault()}>
      <${Field} id="hours" label="Hours shown"><select id="hours" value=${hours} onChange=${e => setHours(e.target.value)}>${['1', '6', '24'].map(h => html`<option>${h}</option>`)}</select><//>
    </form>
    ${!history ? html`<p>Loading…</p>` : history.problem ? html`<${Problem} problem=${history.problem} />` : charts}
    <table class="grid"><caption>Now</caption>
      <thead><tr><th scope="col">Queue</th><th scope="col">Messages</th><th scope="col">Oldest (s)</th></tr></thead>
      <tbody>${rows.map(q => html`<tr><td>${q.name}</td><td>${q.approximateLength ?? q.length}</td><td>${q.oldestAgeSeconds ?? q.oldestAge ?? ''}</td></tr>`)}</tbody></table>`;
}
