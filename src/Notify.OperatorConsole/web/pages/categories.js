import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Header, Field, Problem, CHANNELS, navigate, time } from '../ui.js';

/** A default or a choice as a select's value: '' (none), 'on' or 'off'. */
const toChoice = v => v === true ? 'on' : v === false ? 'off' : '';
const fromChoice = v => v === 'on' ? true : v === 'off' ? false : null;

export const title = c => c.titles?.en || Object.values(c.titles || {})[0] || c.key;

/** The category form: create (no key yet) or edit one (its key fixed). */
function CategoryForm({ category, onSaved }) {
  const editing = !!category;
  const [key, setKey] = useState(category?.key || '');
  const [titleEn, setTitleEn] = useState(category?.titles?.en || '');
  const [descriptionEn, setDescriptionEn] = useState(category?.descriptions?.en || '');
  const [required, setRequired] = useState(!!category?.required);
  const [reason, setReason] = useState(category?.requiredReason || '');
  const [defaults, setDefaults] = useState(Object.fromEntries(CHANNELS.map(c => [c, toChoice(category?.defaults?.[c])])));
  const [problem, setProblem] = useState(null);
  const [saved, setSaved] = useState(false);

  async function save(e) {
    e.preventDefault();
    const errors = {};
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(key)) errors.key = ['1-64 lower-case letters, digits, ".", "_" or "-"'];
    if (!titleEn.trim()) errors['titles.en'] = ['is required'];
    if (required && !reason.trim()) errors.requiredReason = ['is required for a required category'];
    if (Object.keys(errors).length > 0) { setProblem({ title: 'The category cannot be saved yet', errors }); setSaved(false); return; }
    const body = {
      // Other locales stay as they are: the form edits English only.
      titles: { ...(category?.titles || {}), en: titleEn.trim() },
      descriptions: { ...(category?.descriptions || {}), ...(descriptionEn.trim() ? { en: descriptionEn.trim() } : {}) },
      required,
      requiredReason: required ? reason.trim() : null,
      defaults: Object.fromEntries(CHANNELS.map(c => [c, fromChoice(defaults[c])])),
    };
    if (!descriptionEn.trim()) delete body.descriptions.en;
    const r = await api('PUT', 'categories/' + encodeURIComponent(key), body);
    setProblem(r.ok ? null : r.data);
    setSaved(r.ok);
    if (r.ok) onSaved(r.data);
  }

  const err = name => problem?.errors?.[name];
  return html`<form class="category-form" noValidate onSubmit=${save} aria-label=${editing ? 'Edit category ' + key : 'Create a category'}>
    <${Field} id="category-key" label="Key" hint="as templates name it, e.g. marketing" error=${err('key')}>
      <input id="category-key" value=${key} readOnly=${editing} onInput=${e => setKey(e.target.value)} required /><//>
    <${Field} id="category-title" label="Title (English)" error=${err('titles.en') || err('titles')}>
      <input id="category-title" value=${titleEn} onInput=${e => setTitleEn(e.target.value)} required /><//>
    <${Field} id="category-description" label="Description (English)" error=${err('descriptions.en') || err('descriptions')}>
      <input id="category-description" value=${descriptionEn} onInput=${e => setDescriptionEn(e.target.value)} /><//>
    <div class="field"><label for="category-required"><input type="checkbox" id="category-required" checked=${required} onChange=${e => setRequired(e.target.checked)} /> Required (users cannot opt out)</label></div>
    ${required && html`<${Field} id="category-reason" label="Why it is required" hint="shown to users on the preference page" error=${err('requiredReason')}>
      <input id="category-reason" value=${reason} onInput=${e => setReason(e.target.value)} required /><//>`}
    <fieldset><legend>Defaults per channel</legend>
      ${CHANNELS.map(c => html`<${Field} id=${'category-default-' + c} label=${'Default for ' + c} error=${err('defaults.' + c)}>
        <select id=${'category-default-' + c} value=${defaults[c]} onChange=${e => setDefaults({ ...defaults, [c]: e.target.value })}>
          <option value="">service default</option><option value="on">on</option><option value="off">off</option>
        </select><//>`)}
    </fieldset>
    <button type="submit">${editing ? 'Save category' : 'Create category'}</button>
    ${saved && html`<p role="status">Saved.</p>`}
    <${Problem} problem=${problem} shown=${['key', 'titles', 'titles.en', 'descriptions', 'descriptions.en', 'requiredReason', ...CHANNELS.map(c => 'defaults.' + c)]} />
  </form>`;
}

/** Categories: every registered one (list), a new one (create), or one by key (edit, delete). */
export function Categories({ arg }) {
  const [categories, setCategories] = useState(null);
  const [problem, setProblem] = useState(null);
  const load = () => api('GET', 'categories').then(r => setCategories(r.ok ? r.data.categories : { problem: r.data }));
  useEffect(() => { load(); }, [arg]);

  const current = arg && Array.isArray(categories) ? categories.find(c => c.key === arg) : null;
  async function remove() {
    const r = await api('DELETE', 'categories/' + encodeURIComponent(arg));
    if (r.ok) navigate('categories'); else setProblem(r.data);
  }

  if (arg) {
    return html`
      <${Header} title=${'Category ' + arg} scope="templates:write"><a href="#/categories">All categories</a><//>
      ${!categories ? html`<p>Loading…</p>` : categories.problem ? html`<${Problem} problem=${categories.problem} />`
        : !current ? html`<p>No category <code>${arg}</code>.</p>` : html`
          <p class="muted">${current.owner ? 'owned by ' + current.owner : 'built in'}${current.updatedAt ? ', updated ' + time(current.updatedAt) : ''}</p>
          <${CategoryForm} key=${current.key} category=${current} onSaved=${load} />
          ${current.owner && html`<button type="button" class="secondary" onClick=${remove}>Delete category ${current.key}</button>`}
          <${Problem} problem=${problem} />`}`;
  }
  return html`
    <${Header} title="Categories" scope="templates:write" />
    <p>Templates name a category; users choose per category and channel on the preference page, and one-click
      unsubscribe turns a category off for e-mail. A required category cannot be left.</p>
    ${!categories ? html`<p>Loading…</p>` : categories.problem ? html`<${Problem} problem=${categories.problem} />` : html`
      <table class="grid"><caption class="visually-hidden">Registered categories</caption>
        <thead><tr><th scope="col">Key</th><th scope="col">Title</th><th scope="col">Required</th>${CHANNELS.map(c => html`<th scope="col">${c} default</th>`)}<th scope="col">Owner</th></tr></thead>
        <tbody>${categories.map(c => html`<tr>
          <td><a href=${'#/categories/' + encodeURIComponent(c.key)}>${c.key}</a></td><td>${title(c)}</td>
          <td>${c.required ? 'yes: ' + (c.requiredReason || '') : 'no'}</td>
          ${CHANNELS.map(ch => html`<td>${toChoice(c.defaults?.[ch]) || 'service default'}</td>`)}
          <td>${c.owner || 'built in'}</td></tr>`)}</tbody>
      </table>`}
    <h2>New category</h2>
    <${CategoryForm} onSaved=${c => navigate('categories/' + encodeURIComponent(c.key))} />`;
}

/**
 * A user's category choices (the User page, users:write): per category and channel "default" (no choice: the
 * category's default applies), "on" or "off"; required categories are shown locked with their reason.
 */
export function UserCategories({ userId }) {
  const [categories, setCategories] = useState(null);
  const [choices, setChoices] = useState(null);
  const [problem, setProblem] = useState(null);
  const [saved, setSaved] = useState(false);

  const read = stored => Object.fromEntries(Object.entries(stored || {}).map(([key, v]) =>
    [key, Object.fromEntries(CHANNELS.map(c => [c, toChoice(typeof v === 'boolean' ? v : v?.[c])]))]));
  useEffect(() => {
    api('GET', 'categories').then(r => setCategories(r.ok ? r.data.categories : { problem: r.data }));
    api('GET', 'users/' + encodeURIComponent(userId) + '/preferences').then(r => setChoices(r.ok ? read(r.data.categories) : { problem: r.data }));
  }, [userId]);

  async function save(e) {
    e.preventDefault();
    const update = {};
    for (const c of categories.filter(c => !c.required)) {
      const mine = choices[c.key] || {};
      update[c.key] = CHANNELS.every(ch => !mine[ch]) ? null : Object.fromEntries(CHANNELS.map(ch => [ch, fromChoice(mine[ch] || '')]));
    }
    const r = await api('PUT', 'users/' + encodeURIComponent(userId) + '/preferences', { categories: update });
    setProblem(r.ok ? null : r.data);
    setSaved(r.ok);
    if (r.ok) setChoices(read(r.data.categories));
  }

  if (!categories || !choices) return html`<p>Loading…</p>`;
  if (categories.problem || choices.problem) return html`<${Problem} problem=${categories.problem || choices.problem} />`;
  return html`<form noValidate onSubmit=${save} aria-label=${'Category preferences of ' + userId}>
    <table class="grid"><caption class="visually-hidden">Category choices of ${userId}</caption>
      <thead><tr><th scope="col">Category</th>${CHANNELS.map(c => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${categories.map(cat => html`<tr>
        <th scope="row">${title(cat)} <code>${cat.key}</code>${cat.required && html`<br /><span class="muted">required: ${cat.requiredReason}</span>`}</th>
        ${CHANNELS.map(ch => {
          const id = 'pref-' + cat.key + '-' + ch;
          return html`<td><label class="visually-hidden" for=${id}>${title(cat)} ${ch}</label>
            <select id=${id} disabled=${cat.required} value=${choices[cat.key]?.[ch] || ''}
              onChange=${e => setChoices({ ...choices, [cat.key]: { ...(choices[cat.key] || {}), [ch]: e.target.value } })}>
              <option value="">default (${toChoice(cat.defaults?.[ch]) || 'service'})</option><option value="on">on</option><option value="off">off</option>
            </select></td>`;
        })}</tr>`)}</tbody>
    </table>
    <button type="submit">Save category preferences</button>
    ${saved && html`<p role="status">Saved.</p>`}
    <${Problem} problem=${problem} />
  </form>`;
}
