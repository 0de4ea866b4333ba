import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Header, Problem, time, has } from '../ui.js';

/** Dead-lettered deliveries with reason and attempts; inspect one, or replay the selected ones after a dry run. */
export function DeadLetters({ session }) {
  const [list, setList] = useState(null);
  const [selected, setSelected] = useState([]);
  const [dry, setDry] = useState(null);
  const [done, setDone] = useState(null);
  const canReplay = has(session, 'admin') || has(session, 'deadletters:replay');

  const load = () => api('GET', 'admin/dead-letters').then(r => setList(r.ok ? r.data.deadLetters : { problem: r.data }));
  useEffect(() => { load(); }, []);

  const toggle = id => setSelected(selected.includes(id) ? selected.filter(s => s !== id) : [...selected, id]);
  async function dryRun() {
    setDone(null);
    const r = await api('POST', 'admin/dead-letters/replay', { ids: selected, dryRun: true });
    setDry(r.ok ? r.data : { problem: r.data });
  }
  async function replay() {
    const r = await api('POST', 'admin/dead-letters/replay', { ids: dry.deliveries.map(d => d.id) });
    setDry(null);
    setDone(r.ok ? r.data : { problem: r.data });
    setSelected([]);
    load();
  }

  return html`
    <${Header} title="Dead letters" scope="notifications:read (replay: admin)" />
    ${!list ? html`<p>Loading…</p>` : list.problem ? html`<${Problem} problem=${list.problem} />` : html`
      <table class="grid"><caption>Dead-lettered deliveries</caption>
        <thead><tr>${canReplay && html`<th scope="col">Select</th>`}<th scope="col">Dead-lettered</th><th scope="col">Channel</th><th scope="col">Event</th><th scope="col">Reason</th><th scope="col">Attempts</th><th scope="col">Delivery</th></tr></thead>
        <tbody>${list.map(d => html`<tr>
          ${canReplay && html`<td><input type="checkbox" id=${'dl-' + d.id} aria-label=${'Select ' + d.id} checked=${selected.includes(d.id)} onChange=${() => toggle(d.id)} /></td>`}
          <td>${time(d.deadLetteredAt)}</td><td>${d.channel}</td><td>${d.eventId}</td><td>${d.reason || d.queue}</td><td>${d.attempts ?? ''}</td>
          <td><a href=${'#/delivery/' + encodeURIComponent(d.id)}>Inspect ${d.id}</a></td></tr>`)}</tbody></table>
      ${list.length === 0 && html`<p class="muted">No dead letters.</p>`}
      ${canReplay && html`<div class="actions"><button type="button" disabled=${selected.length === 0} onClick=${dryRun}>Dry run replay of ${selected.length} selected</button></div>`}`}
    ${dry && (dry.problem ? html`<${Problem} problem=${dry.problem} />` : html`<section class="confirm" aria-labelledby="dry-title">
      <h2 id="dry-title">Dry run: ${dry.count} would be replayed</h2>
      <ul>${dry.deliveries.map(d => html`<li>${d.id} (${d.channel}, ${d.eventId})</li>`)}</ul>
      <button type="button" onClick=${replay} disabled=${dry.count === 0}>Replay ${dry.count}</button>
      <button type="button" class="secondary" onClick=${() => setDry(null)}>Cancel</button>
    </section>`)}
    ${done && (done.problem ? html`<${Problem} problem=${done.problem} />` : html`<p class="ok" role="status">Replayed ${done.count}.</p>`)}`;
}
