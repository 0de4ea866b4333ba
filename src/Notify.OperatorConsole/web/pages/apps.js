import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Header, Field, Problem, SCOPES, time } from '../ui.js';

/** A secret shown once, right after it was made: the server keeps only its hash. */
function OneTimeSecret({ credential, onDone }) {
  return html`<section class="confirm" aria-labelledby="secret-title">
    <h2 id="secret-title" tabindex="-1">Secret for ${credential.appKey}</h2>
    <p>Copy it now: it is shown this once and cannot be read again.</p>
    <p><label for="new-secret">Secret <code>${credential.secretId}</code></label> <input id="new-secret" readonly value=${credential.appSecret} size="48" /></p>
    <button type="button" onClick=${onDone}>I have copied it</button>
  </section>`;
}

/** Scope checkboxes; the error for "scopes" (a client check or the API's) sits inside the group and describes it. */
function ScopeBoxes({ idPrefix, value, onChange, legend, error }) {
  const errorId = idPrefix + 'scopes-error';
  return html`<fieldset class="scopes" aria-describedby=${error ? errorId : undefined}><legend>${legend}</legend>
    ${SCOPES.map(s => html`<label for=${idPrefix + s}><input type="checkbox" id=${idPrefix + s} checked=${value.includes(s)}
      onChange=${() => onChange(value.includes(s) ? value.filter(v => v !== s) : [...value, s])} /> ${s}</label>`)}
    ${error && html`<span class="field-error" id=${errorId} role="alert">${[].concat(error).join('; ')}</span>`}
  </fieldset>`;
}

function AppRow({ app, onChanged, onSecret }) {
  const [scopes, setScopes] = useState(app.scopes);
  const [problem, setProblem] = useState(null);
  const act = async (method, path, body) => {
    const r = await api(method, 'admin/apps/' + encodeURIComponent(app.appKey) + path, body);
    setProblem(r.ok ? null : r.data);
    if (r.ok) onChanged();
    return r;
  };
  const rotate = async () => { const r = await act('POST', '/secrets', {}); if (r.ok) onSecret(r.data); };
  return html`<article class="app" aria-labelledby=${'app-' + app.appKey}>
    <h2 id=${'app-' + app.appKey}>${app.name} <code>${app.appKey}</code> ${app.disabled && html`<span class="status status-failed">disabled</span>`}</h2>
    <p class="muted">created ${time(app.createdAt)}${app.lastUsedAt ? ', last used ' + time(app.lastUsedAt) : ''}</p>
    <ul class="secrets">${app.secrets.map(s => html`<li>secret <code>${s.id}</code> created ${time(s.createdAt)}${s.expiresAt ? ', expires ' + time(s.expiresAt) : ''}
      <button type="button" class="secondary" onClick=${() => act('DELETE', '/secrets/' + encodeURIComponent(s.id))}>Revoke secret ${s.id}</button></li>`)}</ul>
    <div class="actions">
      <button type="button" onClick=${rotate}>Rotate secret of ${app.appKey}</button>
      <button type="button" class="secondary" onClick=${() => act('POST', app.disabled ? '/enable' : '/disable')}>${app.disabled ? 'Enable' : 'Disable'} ${app.appKey}</button>
    </div>
    <form noValidate onSubmit=${e => {
      e.preventDefault();
      if (scopes.length === 0) { setProblem({ title: 'An app needs a scope', errors: { scopes: ['choose at least one'] } }); return; }
      act('PUT', '/scopes', { scopes });
    }}>
      <${ScopeBoxes} idPrefix=${app.appKey + '-'} legend=${'Scopes of ' + app.appKey} value=${scopes} onChange=${setScopes} error=${problem?.errors?.scopes} />
      <button type="submit">Save scopes of ${app.appKey}</button>
    </form>
    <${Problem} problem=${problem} shown=${['scopes']} />
  </article>`;
}

/** Apps: create (secret shown once), rotate and revoke secrets, disable, edit scopes. */
export function Apps() {
  const [apps, setApps] = useState(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState(['notifications:send', 'notifications:read']);
  const [problem, setProblem] = useState(null);
  const [credential, setCredential] = useState(null);

  const load = () => api('GET', 'admin/apps').then(r => setApps(r.ok ? r.data.apps : { problem: r.data }));
  useEffect(() => { load(); }, []);
  useEffect(() => { if (credential) document.getElementById('secret-title')?.focus(); }, [credential]);

  async function create(e) {
    e.preventDefault();
    const errors = {};
    if (!name.trim()) errors.name = ['is required'];
    if (scopes.length === 0) errors.scopes = ['choose at least one'];
    if (Object.keys(errors).length > 0) { setProblem({ title: 'The app cannot be created yet', errors }); return; }
    const r = await api('POST', 'admin/apps', { name: name.trim(), scopes });
    if (r.ok) { setProblem(null); setName(''); setCredential(r.data); load(); } else setProblem(r.data);
  }

  return html`
    <${Header} title="Apps" scope="admin" />
    ${credential && html`<${OneTimeSecret} credential=${credential} onDone=${() => setCredential(null)} />`}
    <form class="create-app" onSubmit=${create} noValidate aria-label="Create an app">
      <${Field} id="app-name" label="New app name" error=${problem?.errors?.name}><input id="app-name" value=${name} onInput=${e => setName(e.target.value)} required /><//>
      <${ScopeBoxes} idPrefix="new-" legend="Scopes of the new app" value=${scopes} onChange=${setScopes} error=${problem?.errors?.scopes} />
      <button type="submit">Create app</button>
      <${Problem} problem=${problem} shown=${['name', 'scopes']} />
    </form>
    ${!apps ? html`<p>Loading…</p>` : apps.problem ? html`<${Problem} problem=${apps.problem} />`
      : apps.map(a => html`<${AppRow} key=${a.appKey + a.secrets.length + a.disabled + a.scopes.join()} app=${a} onChanged=${load} onSecret=${setCredential} />`)}`;
}
