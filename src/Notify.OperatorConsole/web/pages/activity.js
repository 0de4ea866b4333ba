import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, Header, Field, Problem, Status, STATUSES, CHANNELS, time, navigate } from '../ui.js';

const FILTERS = ['app', 'template', 'channel', 'status', 'userId', 'eventId', 'from', 'to'];

/** Deliveries newest first, filtered and paged, with live counts by status. The filters live in the address. */
export function Activity({ session, params }) {
  const [form, setForm] = useState(() => Object.fromEntries(FILTERS.map(f => [f, params[f] || ''])));
  const [page, setPage] = useState({ deliveries: null, problem: null });
  const [tokens, setTokens] = useState([]); // continuation tokens of the pages before this one
  const [token, setToken] = useState(params.page || '');
  const [counts, setCounts] = useState(null);
  const [invalid, setInvalid] = useState(null);

  const applied = Object.fromEntries(FILTERS.map(f => [f, params[f] || '']));
  // The inputs hold UTC wall-clock times (their labels say so), whatever the browser's own zone.
  const iso = v => v ? new Date(v + 'Z').toISOString() : '';

  useEffect(() => {
    let live = true;
    const q = { ...applied, from: iso(applied.from), to: iso(applied.to), limit: 50, continuationToken: token };
    api('GET', 'notifications' + query(q)).then(r => {
      if (!live) return;
      setPage(r.ok ? { deliveries: r.data.deliveries, next: r.data.continuationToken, problem: null } : { deliveries: [], problem: r.data });
    });
    return () => { live = false; };
  }, [JSON.stringify(applied), token]);

  useEffect(() => {
    let live = true;
    const load = () => api('GET', 'notifications/counts' + query({ app: applied.app, from: iso(applied.from), to: iso(applied.to) }))
      .then(r => { if (live) setCounts(r.ok ? r.data.counts : null); });
    load();
    const timer = setInterval(load, 5000);
    return () => { live = false; clearInterval(timer); };
  }, [applied.app, applied.from, applied.to]);

  const set = name => e => setForm({ ...form, [name]: e.target.value });
  const submit = e => {
    e.preventDefault();
    // What the browser can check before asking; the rest (id formats, known names) the API answers field by field.
    const errors = {};
    for (const f of ['from', 'to']) if (form[f] && isNaN(new Date(form[f] + 'Z'))) errors[f] = ['must be a date and time'];
    if (!errors.from && !errors.to && form.from && form.to && form.from > form.to) errors.to = ['must not be before From'];
    for (const f of ['template', 'userId', 'eventId', 'app']) if (form[f] && form[f].length > 128) errors[f] = ['must be at most 128 characters'];
    setInvalid(Object.keys(errors).length > 0 ? { errors } : null);
    if (Object.keys(errors).length > 0) return;
    setTokens([]); setToken(''); navigate('activity', form);
  };
  const clear = () => { const empty = Object.fromEntries(FILTERS.map(f => [f, ''])); setForm(empty); setTokens([]); setToken(''); navigate('activity', {}); };
  const fieldError = name => invalid ? invalid.errors[name] : page.problem?.errors?.[name];

  return html`
    <${Header} title="Activity" scope="notifications:read" />
    <section aria-labelledby="counts-title" class="counts">
      <h2 id="counts-title">Live counts by status</h2>
      ${counts ? html`<ul class="count-list" aria-live="polite">${Object.entries(counts).filter(([, n]) => n > 0).map(([status, n]) => html`<li><${Status} value=${status} /> <strong>${n}</strong></li>`)}</ul>`
        : html`<p class="muted">No counts available.</p>`}
    </section>
    <form class="filters" onSubmit=${submit} aria-label="Filters">
      ${session.isAdmin && html`<${Field} id="f-app" label="App" error=${fieldError('app')}><input id="f-app" value=${form.app} onInput=${set('app')} placeholder="every app" /><//>`}
      <${Field} id="f-template" label="Template" error=${fieldError('template')}><input id="f-template" value=${form.template} onInput=${set('template')} /><//>
      <${Field} id="f-channel" label="Channel" error=${fieldError('channel')}>
        <select id="f-channel" value=${form.channel} onChange=${set('channel')}><option value="">any</option>${CHANNELS.map(c => html`<option>${c}</option>`)}</select><//>
      <${Field} id="f-status" label="Status" error=${fieldError('status')}>
        <select id="f-status" value=${form.status} onChange=${set('status')}><option value="">any</option>${STATUSES.map(s => html`<option>${s}</option>`)}</select><//>
      <${Field} id="f-user" label="User id" error=${fieldError('userId')}><input id="f-user" value=${form.userId} onInput=${set('userId')} /><//>
      <${Field} id="f-event" label="Event id" error=${fieldError('eventId')}><input id="f-event" value=${form.eventId} onInput=${set('eventId')} /><//>
      <${Field} id="f-from" label="From (UTC)" error=${fieldError('from')}><input id="f-from" type="datetime-local" value=${form.from} onInput=${set('from')} /><//>
      <${Field} id="f-to" label="To (UTC)" error=${fieldError('to')}><input id="f-to" type="datetime-local" value=${form.to} onInput=${set('to')} /><//>
      <div class="actions"><button type="submit">Search</button><button type="button" class="secondary" onClick=${clear}>Clear filters</button></div>
    </form>
    <${Problem} problem=${page.problem} shown=${FILTERS.filter(f => f !== 'app' || session.isAdmin)} />
    ${page.deliveries === null ? html`<p>Loading…</p>` : html`
      <table class="grid">
        <caption>Deliveries, newest first</caption>
        <thead><tr><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Channel</th><th scope="col">User</th><th scope="col">Template</th><th scope="col">Event</th>${session.isAdmin && html`<th scope="col">App</th>`}<th scope="col">Delivery</th></tr></thead>
        <tbody>${page.deliveries.map(d => html`<tr>
          <td>${time(d.createdAt)}</td><td><${Status} value=${d.status} /></td><td>${d.channel}</td>
          <td><a href=${'#/user/' + encodeURIComponent(d.userId)}>${d.userId}</a></td><td>${d.template}</td><td>${d.eventId}</td>
          ${session.isAdmin && html`<td>${d.app}</td>`}
          <td><a href=${'#/delivery/' + encodeURIComponent(d.id)}>${d.id}</a></td></tr>`)}</tbody>
      </table>
      ${page.deliveries.length === 0 && !page.problem && html`<p class="muted">No delivery matches.</p>`}
      <div class="pager">
        <button type="button" disabled=${tokens.length === 0} onClick=${() => { const t = [...tokens]; setToken(t.pop() || ''); setTokens(t); }}>Previous page</button>
        <button type="button" disabled=${!page.next} onClick=${() => { setTokens([...tokens, token]); setToken(page.next); }}>Next page</button>
      </div>`}`;
}
