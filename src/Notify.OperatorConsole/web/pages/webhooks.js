import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Header, Field, Problem, fieldErrors, time, has } from '../ui.js';

// The event types an endpoint may subscribe to (docs/webhooks.md): '*' is every one.
export const EVENT_TYPES = ['*', ...['queued', 'scheduled', 'sending', 'retrying', 'sent', 'failed', 'dead-lettered', 'skipped',
  'cancelled', 'digested', 'delivered', 'bounced', 'opened', 'clicked', 'converted', 'unsubscribed', 'spam-report'].map(s => 'delivery.' + s)];

const path = (id, rest = '') => 'webhooks/endpoints' + (id ? '/' + encodeURIComponent(id) : '') + rest;
const Hidden = ({ children }) => html`<span class="visually-hidden">${children}</span>`;

/** A signing secret right after create or rotate: the API answers it this once. */
function OneTimeSecret({ endpoint, onDone }) {
  return html`<section class="confirm" aria-labelledby="webhook-secret-title">
    <h2 id="webhook-secret-title" tabindex="-1">Signing secret for ${endpoint.url}</h2>
    <p>Copy it now: it is shown this once and cannot be read again.${endpoint.previousSecretExpiresAt
      ? ' The replaced secret still signs until ' + time(endpoint.previousSecretExpiresAt) + '.' : ''}</p>
    <p><label for="webhook-secret">Secret</label> <input id="webhook-secret" readonly value=${endpoint.secret} size="56" /></p>
    <button type="button" onClick=${onDone}>I have copied it</button>
  </section>`;
}

/** Create (no endpoint) or replace an endpoint's url, event types and enabled; the other settings are kept as they are. */
function EndpointForm({ endpoint, onSaved, onCancel }) {
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [types, setTypes] = useState(endpoint?.eventTypes ?? ['delivery.sent', 'delivery.failed']);
  const [enabled, setEnabled] = useState(endpoint?.enabled ?? true);
  const [problem, setProblem] = useState(null);
  const typesError = fieldErrors(problem, 'eventTypes', ...types.map((_, i) => `eventTypes[${i}]`));

  async function save(e) {
    e.preventDefault();
    const errors = {};
    if (!url.trim()) errors.url = ['is required'];
    if (types.length === 0) errors.eventTypes = ['choose at least one'];
    if (Object.keys(errors).length > 0) { setProblem({ title: 'The endpoint cannot be saved yet', errors }); return; }
    const body = {
      url: url.trim(), eventTypes: types, enabled,
      templates: endpoint?.templates ?? undefined, channels: endpoint?.channels ?? undefined, description: endpoint?.description ?? undefined,
    };
    const r = await api(endpoint ? 'PUT' : 'POST', path(endpoint?.id), body);
    if (r.ok) onSaved(r.data); else setProblem(r.data);
  }

  const toggle = t => setTypes(types.includes(t) ? types.filter(v => v !== t) : [...types, t]);
  return html`<form class="confirm" onSubmit=${save} noValidate aria-labelledby="endpoint-form-title">
    <h2 id="endpoint-form-title">${endpoint ? 'Edit ' + endpoint.url : 'New endpoint'}</h2>
    <${Field} id="endpoint-url" label="URL" error=${fieldErrors(problem, 'url', 'endpoints')} hint="https (http only to hosts the service allows)">
      <input id="endpoint-url" type="url" size="60" value=${url} onInput=${e => setUrl(e.target.value)} required /><//>
    <fieldset class="scopes" aria-describedby=${typesError ? 'endpoint-types-error' : undefined}><legend>Event types</legend>
      ${EVENT_TYPES.map(t => html`<label for=${'type-' + t}><input type="checkbox" id=${'type-' + t} checked=${types.includes(t)} onChange=${() => toggle(t)} /> ${t === '*' ? '* (every event)' : t}</label>`)}
      ${typesError && html`<span class="field-error" id="endpoint-types-error" role="alert">${typesError.join('; ')}</span>`}
    </fieldset>
    <p><label for="endpoint-enabled"><input type="checkbox" id="endpoint-enabled" checked=${enabled} onChange=${() => setEnabled(!enabled)} /> Enabled</label></p>
    <div class="actions">
      <button type="submit">${endpoint ? 'Save endpoint' : 'Create endpoint'}</button>
      <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
    </div>
    <${Problem} problem=${problem} shown=${['url', 'endpoints', 'eventTypes', ...types.map((_, i) => `eventTypes[${i}]`)]} />
  </form>`;
}

/** An endpoint's most recent POSTs, newest first, each one replayable under its webhook id. */
function Attempts({ endpoint, onClose }) {
  const [attempts, setAttempts] = useState(null);
  const [done, setDone] = useState(null);
  const load = () => api('GET', path(endpoint.id, '/attempts?limit=20')).then(r => setAttempts(r.ok ? r.data.attempts : { problem: r.data }));
  useEffect(() => { load(); }, [endpoint.id]);
  async function replay(a) {
    const r = await api('POST', path(endpoint.id, '/replay'), { ids: [a.webhookId] });
    setDone(r.ok ? { text: `Replay of ${a.webhookId} queued (${r.data.queued}).` } : { problem: r.data });
  }
  return html`<section aria-labelledby="attempts-title">
    <h2 id="attempts-title">Recent attempts to ${endpoint.url}</h2>
    <div class="actions">
      <button type="button" onClick=${load}>Refresh attempts</button>
      <button type="button" class="secondary" onClick=${onClose}>Close attempts</button>
    </div>
    ${done && (done.problem ? html`<${Problem} problem=${done.problem} />` : html`<p class="ok" role="status">${done.text}</p>`)}
    ${!attempts ? html`<p>Loading…</p>` : attempts.problem ? html`<${Problem} problem=${attempts.problem} />` : attempts.length === 0
      ? html`<p class="muted">No attempts yet (events wait on the webhook queue until the worker sends them).</p>`
      : html`<table class="grid"><caption>Attempts, newest first</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Outcome</th><th scope="col">Response code</th><th scope="col">Latency</th><th scope="col">Error</th><th scope="col">Replay</th></tr></thead>
        <tbody>${attempts.map(a => html`<tr>
          <td>${time(a.at)}</td><td>${a.type} <code>${a.webhookId}</code></td><td>${a.attempt}</td>
          <td><span class=${'status status-' + (a.outcome === 'delivered' ? 'delivered' : 'failed')}>${a.outcome}</span></td>
          <td>${a.statusCode ?? 'none'}</td><td>${a.latencyMs} ms</td><td>${a.error ?? ''}</td>
          <td><button type="button" class="secondary" onClick=${() => replay(a)}>Replay<${Hidden}> ${a.webhookId} attempt ${a.attempt}<//></button></td></tr>`)}</tbody></table>`}
  </section>`;
}

/** Webhook endpoints: list, create and edit, delete after a confirmation, rotate the secret (shown once), test, attempts and replay. */
export function Webhooks({ session }) {
  const admin = has(session, 'admin');
  const [list, setList] = useState(null);
  const [editing, setEditing] = useState(null);
  const [secret, setSecret] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [attemptsOf, setAttemptsOf] = useState(null);
  const [message, setMessage] = useState(null);

  // An admin sees every app's endpoints (and may change them); another session its own app's.
  const load = () => api('GET', path() + (admin ? '?app=*' : '')).then(r => setList(r.ok ? r.data.endpoints : { problem: r.data }));
  useEffect(() => { load(); }, []);
  useEffect(() => { if (secret) document.getElementById('webhook-secret-title')?.focus(); }, [secret]);

  const act = async (method, p, body, ok) => {
    const r = await api(method, p, body);
    setMessage(r.ok ? { text: ok(r.data) } : { problem: r.data });
    return r;
  };
  const saved = endpoint => { if (endpoint.secret) setSecret(endpoint); setEditing(null); setMessage({ text: 'Saved ' + endpoint.url + '.' }); load(); };
  const rotate = async e => { const r = await act('POST', path(e.id, '/secret/rotate'), undefined, () => 'Secret of ' + e.url + ' rotated.'); if (r.ok) setSecret(r.data); };
  const test = e => act('POST', path(e.id, '/test'), undefined, () => 'Test event queued for ' + e.url + '.');
  const remove = async e => {
    const r = await act('DELETE', path(e.id), undefined, () => 'Deleted ' + e.url + '.');
    setDeleting(null);
    if (r.ok) { if (attemptsOf?.id === e.id) setAttemptsOf(null); load(); }
  };

  return html`
    <${Header} title="Webhooks" scope="webhooks:write or admin" />
    <p class="muted">Signed POSTs of delivery events to the calling services (<a href="https://www.standardwebhooks.com/">Standard Webhooks</a>).</p>
    ${secret && html`<${OneTimeSecret} endpoint=${secret} onDone=${() => setSecret(null)} />`}
    ${message && (message.problem ? html`<${Problem} problem=${message.problem} />` : html`<p class="ok" role="status">${message.text}</p>`)}
    ${editing ? html`<${EndpointForm} key=${editing === 'new' ? 'new' : editing.id} endpoint=${editing === 'new' ? null : editing} onSaved=${saved} onCancel=${() => setEditing(null)} />`
      : html`<div class="actions"><button type="button" onClick=${() => setEditing('new')}>New endpoint</button></div>`}
    ${deleting && html`<section class="confirm" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete ${deleting.url}?</h2>
      <p>The endpoint stops receiving events at once; events already queued for it are dropped.</p>
      <button type="button" onClick=${() => remove(deleting)}>Delete endpoint</button>
      <button type="button" class="secondary" onClick=${() => setDeleting(null)}>Cancel</button>
    </section>`}
    ${!list ? html`<p>Loading…</p>` : list.problem ? html`<${Problem} problem=${list.problem} />` : html`
      <table class="grid"><caption>Endpoints</caption>
        <thead><tr><th scope="col">URL</th>${admin && html`<th scope="col">App</th>`}<th scope="col">Events</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
        <tbody>${list.map(e => html`<tr>
          <td><code>${e.url}</code>${e.description && html`<br /><span class="muted">${e.description}</span>`}</td>
          ${admin && html`<td>${e.app}</td>`}
          <td>${e.eventTypes.join(', ')}</td>
          <td>${e.enabled ? html`<span class="status status-delivered">enabled</span>` : html`<span class="status status-failed">disabled${e.disabledReason ? ': ' + e.disabledReason : ''}</span>`}
            ${e.failingSince && html`<br /><span class="muted">failing since ${time(e.failingSince)}</span>`}</td>
          <td><div class="actions">
            <button type="button" class="secondary" onClick=${() => setEditing(e)}>Edit<${Hidden}> ${e.url}<//></button>
            <button type="button" class="secondary" onClick=${() => test(e)}>Send test<${Hidden}> to ${e.url}<//></button>
            <button type="button" class="secondary" onClick=${() => setAttemptsOf(e)}>Attempts<${Hidden}> of ${e.url}<//></button>
            <button type="button" class="secondary" onClick=${() => rotate(e)}>Rotate secret<${Hidden}> of ${e.url}<//></button>
            <button type="button" class="secondary" onClick=${() => setDeleting(e)}>Delete<${Hidden}> ${e.url}<//></button>
          </div></td></tr>`)}</tbody></table>
      ${list.length === 0 && html`<p class="muted">No endpoints yet.</p>`}`}
    ${attemptsOf && html`<${Attempts} key=${attemptsOf.id} endpoint=${attemptsOf} onClose=${() => setAttemptsOf(null)} />`}`;
}
