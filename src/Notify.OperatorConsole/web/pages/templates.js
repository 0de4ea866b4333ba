import { useEffect, useRef, useState } from 'preact/hooks';
import { api, position } from '../api.js';
import { locate, offsetOf } from '../sourcemap.js';
import { html, Header, Field, Problem, time, navigate } from '../ui.js';
import { title } from './categories.js';

const STARTER = JSON.stringify({
  defaultLocale: 'en',
  channels: {
    email: { subject: 'Hello {{ data.name }}', html: '<p>Hello {{ data.name }}</p>', text: 'Hello {{ data.name }}' },
    sms: { body: 'Hello {{ data.name }}' },
  },
}, null, 2);

/** The templates the session's app may edit. */
export function Templates() {
  const [list, setList] = useState(null);
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => { api('GET', 'templates').then(r => setList(r.ok ? r.data.templates : { problem: r.data })); }, []);

  const create = e => {
    e.preventDefault();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) { setError('Letters, digits, dot, dash and underscore; up to 64.'); return; }
    navigate('template/' + encodeURIComponent(name));
  };
  return html`
    <${Header} title="Templates" scope="templates:write" />
    <form class="inline" onSubmit=${create} noValidate>
      <${Field} id="new-template" label="New template name" error=${error}><input id="new-template" value=${name} onInput=${e => setName(e.target.value)} required /><//>
      <button type="submit">New template</button>
    </form>
    ${!list ? html`<p>Loading…</p>` : list.problem ? html`<${Problem} problem=${list.problem} />` : html`
      <table class="grid"><caption>Templates</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Channels</th><th scope="col">Version</th><th scope="col">Updated</th><th scope="col">By</th></tr></thead>
        <tbody>${list.map(t => html`<tr><td><a href=${'#/template/' + encodeURIComponent(t.name)}>${t.name}</a></td><td>${(t.channels || []).join(', ')}</td>
          <td><code>${t.version}</code></td><td>${time(t.updatedAt)}</td><td>${t.updatedBy || t.owner || ''}</td></tr>`)}</tbody></table>`}`;
}

/** A problem's errors as items with channel, locale, field, and line and column when the message has them. */
function errorItems(problem) {
  // The preview names each Liquid error's channel, locale, field, line and column in templateErrors.
  if (Array.isArray(problem?.templateErrors) && problem.templateErrors.length > 0) return problem.templateErrors.map(e => ({ ...e, field: e.field ? e.path || e.field : e.path }));
  if (!problem?.errors) return [];
  if (Array.isArray(problem.errors)) return problem.errors.map(e => ({ ...e, message: e.message || e.detail || '' }));
  return Object.entries(problem.errors).flatMap(([field, messages]) => [].concat(messages).map(m => {
    const text = typeof m === 'string' ? m : m.message || JSON.stringify(m);
    return { field, message: text, ...(position(text) || {}) };
  }));
}

/** The items with where each sits in the editor's text (`at`), for those about the definition. */
function located(problem, source, { preview }) {
  return errorItems(problem).map(e => {
    // The preview's own fields (sample data, locale) are not in the editor; its definition's paths start "definition".
    const aboutDefinition = !preview || /^definition\b/.test(e.path ?? e.field ?? '');
    return { ...e, at: aboutDefinition ? locate(source, e) : null };
  });
}

function Errors({ problem, items, label, id, onGo }) {
  if (!problem) return null;
  return html`<div class="problem" role="alert" aria-label=${label} id=${id}>
    <strong>${problem.title || 'Error'}</strong>
    <ul>${items.map(e => html`<li class="template-error">
      ${[e.channel, e.locale, e.field].filter(Boolean).join(' / ')}${e.line ? html` at <strong>line ${e.line}, column ${e.column}</strong>` : ''}: ${e.message}
      ${e.at && html` <button type="button" class="link" onClick=${() => onGo(e.at)}>Go to definition line ${e.at.line}</button>`}
    </li>`)}</ul>
  </div>`;
}

/**
 * The definition's text with a gutter of line numbers in which the lines the errors point at are marked, and the same
 * lines highlighted behind the text. The textarea does not wrap, so a line of text is a line of the gutter.
 */
function CodeArea({ id, value, onInput, marks, invalid, area, describedBy }) {
  const gutter = useRef(null);
  const [scroll, setScroll] = useState(0);
  const lines = value.split('\n').length;
  const marked = new Map(marks.map(m => [m.at.line, m]));
  return html`<div class="code">
    <ol class="gutter" ref=${gutter} aria-hidden="true">${Array.from({ length: lines }, (_, n) => {
      const mark = marked.get(n + 1);
      return html`<li class=${mark ? 'error-line' : undefined} title=${mark ? mark.message : undefined}>${n + 1}</li>`;
    })}</ol>
    <div class="code-text">
      ${[...marked.keys()].map(line => html`<div class="error-band" aria-hidden="true" style=${{ top: `calc(.35rem + ${(line - 1) * 1.5}em - ${scroll}px)` }}></div>`)}
      <textarea id=${id} ref=${area} rows="18" wrap="off" spellcheck="false" value=${value} onInput=${onInput}
        onScroll=${e => { gutter.current.scrollTop = e.target.scrollTop; setScroll(e.target.scrollTop); }}
        aria-invalid=${invalid ? 'true' : undefined} aria-describedby=${describedBy}></textarea>
    </div>
  </div>`;
}

/** The definition's `category` ('' when it names none: transactional), or null while the text is not a JSON object. */
function categoryOf(source) {
  try {
    const definition = JSON.parse(source);
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) return null;
    return typeof definition.category === 'string' ? definition.category : '';
  } catch { return null; }
}

/**
 * The template's category: a select of the registered ones, which writes `category` into the definition's text (left
 * out for transactional, the default), so the text stays the one thing saved.
 */
function CategorySelect({ source, onChange, categories }) {
  const current = categoryOf(source);
  const keys = Array.isArray(categories) ? categories.filter(c => c.key !== 'transactional') : [];
  const choose = e => {
    const definition = JSON.parse(source);
    if (e.target.value) definition.category = e.target.value; else delete definition.category;
    onChange(JSON.stringify(definition, null, 2));
  };
  return html`<${Field} id="category" label="Category" hint=${current === null ? 'Fix the definition to choose its category.' : 'Whose preferences decide who gets it; transactional unless chosen.'}>
    <select id="category" value=${current ?? ''} onChange=${choose} disabled=${current === null}>
      <option value="">transactional (default)</option>
      ${keys.map(c => html`<option value=${c.key}>${title(c) === c.key ? c.key : `${title(c)} (${c.key})`}</option>`)}
      ${current && !keys.some(c => c.key === current) && current !== 'transactional' ? html`<option value=${current}>${current} (not registered)</option>` : ''}
    </select><//>`;
}

/** The editor: the definition as JSON, sample data and a locale, a live preview per channel as you type, save, versions. */
export function TemplateEditor({ arg: name }) {
  const [source, setSource] = useState(null);
  const [data, setData] = useState('{"name":"Ann","code":"4711"}');
  const [locale, setLocale] = useState('en');
  const [preview, setPreview] = useState(null);
  const [saved, setSaved] = useState(null);
  const [versions, setVersions] = useState([]);
  const [exists, setExists] = useState(false);
  const [categories, setCategories] = useState(null);
  const timer = useRef(0);
  const area = useRef(null);

  const loadVersions = () => api('GET', 'templates/' + encodeURIComponent(name) + '/versions').then(r => r.ok && setVersions(r.data.versions));
  useEffect(() => {
    api('GET', 'templates/' + encodeURIComponent(name)).then(r => {
      setExists(r.ok);
      setSource(r.ok ? JSON.stringify(r.data.definition, null, 2) : STARTER);
    });
    loadVersions();
    api('GET', 'categories').then(r => setCategories(r.ok ? r.data.categories : null));
  }, [name]);

  useEffect(() => {
    if (source === null) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      let definition, sample;
      try { definition = JSON.parse(source); } catch (e) { setPreview({ problem: { title: 'The definition is not JSON', errors: { definition: [e.message] } } }); return; }
      try { sample = JSON.parse(data || '{}'); } catch (e) { setPreview({ problem: { title: 'The sample data is not JSON', errors: { data: [e.message] } } }); return; }
      const r = await api('POST', 'templates/preview', { definition, data: sample, locale });
      setPreview(r.ok ? { channels: r.data.channels || r.data } : { problem: r.data });
    }, 300);
    return () => clearTimeout(timer.current);
  }, [source, data, locale]);

  async function save(e) {
    e.preventDefault();
    let definition;
    try { definition = JSON.parse(source); } catch (err) { setSaved({ problem: { title: 'The definition is not JSON', errors: { definition: [err.message] } } }); return; }
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) { setSaved({ problem: { title: 'The definition must be a JSON object', errors: { definition: ['must be an object with channels'] } } }); return; }
    const r = await api('PUT', 'templates/' + encodeURIComponent(name), definition);
    // The text it was saved from: its errors are marked in the editor until the text changes.
    setSaved(r.ok ? { version: r.data.version } : { problem: r.data, source });
    if (r.ok) { setExists(true); loadVersions(); }
  }

  async function open(version) {
    const r = await api('GET', 'templates/' + encodeURIComponent(name) + '/versions/' + encodeURIComponent(version));
    if (r.ok) setSource(JSON.stringify(r.data.definition, null, 2));
  }

  if (source === null) return html`<${Header} title=${'Template ' + name} scope="templates:write" /><p>Loading…</p>`;
  const saveItems = saved?.problem ? located(saved.problem, source, { preview: false }) : [];
  const previewItems = preview?.problem ? located(preview.problem, source, { preview: true }) : [];
  const marks = [...(saved?.source === source ? saveItems : []), ...previewItems].filter(e => e.at);
  const describedBy = [saved?.problem && 'save-errors', previewItems.some(e => e.at) && 'preview-errors'].filter(Boolean).join(' ') || undefined;
  const go = at => {
    // Puts the caret where the error is, for keyboard and screen reader users as much as for the eye.
    const offset = offsetOf(source, at.line, at.column);
    area.current.focus();
    area.current.setSelectionRange(offset, offset);
  };
  return html`
    <${Header} title=${'Template ' + name} scope="templates:write"><a href="#/templates">All templates</a><//>
    <div class="editor">
      <form onSubmit=${save} class="editor-form">
        <${Field} id="definition" label="Definition (JSON: channels, locales, Liquid fields)">
          <${CodeArea} id="definition" value=${source} onInput=${e => setSource(e.target.value)} marks=${marks} invalid=${!!saved?.problem || marks.length > 0} area=${area} describedBy=${describedBy} /><//>
        <${CategorySelect} source=${source} onChange=${setSource} categories=${categories} />
        <${Field} id="sample" label="Sample data (JSON)"><textarea id="sample" rows="3" spellcheck="false" value=${data} onInput=${e => setData(e.target.value)}></textarea><//>
        <${Field} id="locale" label="Preview locale"><input id="locale" value=${locale} onInput=${e => setLocale(e.target.value)} /><//>
        <div class="actions"><button type="submit">Save template</button></div>
        ${saved?.version && html`<p class="ok" role="status">Saved as version <code>${saved.version}</code>.</p>`}
        <${Errors} problem=${saved?.problem} items=${saveItems} label="Save errors" id="save-errors" onGo=${go} />
      </form>
      <section class="preview" aria-labelledby="preview-title" aria-live="polite">
        <h2 id="preview-title">Live preview</h2>
        ${!preview ? html`<p class="muted">Rendering…</p>` : preview.problem ? html`<${Errors} problem=${preview.problem} items=${previewItems} label="Preview errors" id="preview-errors" onGo=${go} />` : Object.entries(preview.channels).map(([channel, fields]) => html`
          <article class="channel-preview"><h3>${channel}</h3>
            <dl>${Object.entries(fields || {}).filter(([, v]) => typeof v === 'string').map(([k, v]) => html`<dt>${k}</dt><dd><pre>${v}</pre></dd>`)}</dl>
          </article>`)}
      </section>
    </div>
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Earlier versions</h2>
      ${!exists ? html`<p class="muted">Not saved yet.</p>` : versions.length === 0 ? html`<p class="muted">None listed.</p>` : html`<ul>${versions.map(v => html`<li>
        <button type="button" class="link" onClick=${() => open(v.version)}>Load version <code>${v.version}</code></button> ${time(v.updatedAt)} ${v.updatedBy || ''}</li>`)}</ul>`}
    </section>`;
}
