import { h, cloneElement, toChildArray } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

export const STATUSES = ['queued', 'scheduled', 'sending', 'retrying', 'sent', 'delivered', 'opened', 'clicked', 'converted',
  'failed', 'bounced', 'dead-lettered', 'skipped', 'cancelled', 'digested'];
export const CHANNELS = ['email', 'sms', 'push'];
export const SCOPES = ['notifications:send', 'notifications:read', 'users:read', 'users:write', 'users:lookup', 'templates:write', 'deadletters:replay', 'admin', 'events:write'];

export function has(session, scope) {
  // Scopes are exact, as the API's gate checks them: admin does not imply the others.
  return !!session && session.scopes.includes(scope);
}

export const time = iso => iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';

export function duration(ms) {
  if (ms < 1000) return ms + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return Math.round(ms / 60000) + ' min';
  return (ms / 3600000).toFixed(1) + ' h';
}

/** The page's heading, with the scope it needs. */
export function Header({ title, scope, children }) {
  return html`<header class="page-header">
    <h1 id="page-title" tabindex="-1">${title}</h1>
    ${scope && html`<span class="scope" title="The scope this page needs">needs <code>${scope}</code></span>`}
    ${children}
  </header>`;
}

/** A problem+json answer: its title and detail, and each invalid field not shown beside a form field. */
export function Problem({ problem, shown = [] }) {
  if (!problem) return null;
  const errors = Object.entries(problem.errors || {}).filter(([field]) => !shown.includes(field));
  return html`<div class="problem" role="alert">
    <strong>${problem.title || 'Error'}</strong>${problem.detail ? ': ' + problem.detail : ''}
    ${errors.length > 0 && html`<ul>${errors.map(([field, messages]) => html`<li><code>${field}</code>: ${[].concat(messages).map(m => typeof m === 'string' ? m : JSON.stringify(m)).join('; ')}</li>`)}</ul>`}
  </div>`;
}

/** A problem+json answer's message(s) for one field, or undefined. */
export const fieldErrors = (problem, ...names) => {
  const found = names.flatMap(n => [].concat(problem?.errors?.[n] ?? []));
  return found.length > 0 ? found : undefined;
};

/**
 * A labelled form control with its error beside it (a client-side check or the API's problem+json message for that
 * field): the control is marked aria-invalid and described by the hint and the error, so a screen reader reads both.
 */
export function Field({ id, label, error, hint, children }) {
  const described = [hint && id + '-hint', error && id + '-error'].filter(Boolean).join(' ') || undefined;
  const controls = toChildArray(children).map(c => {
    if (!c || !c.props || c.props.id !== id) return c;
    // Keeps what the control says itself (an error list elsewhere on the page) and adds the hint and the error.
    const own = c.props['aria-describedby'];
    return cloneElement(c, {
      'aria-invalid': error ? 'true' : c.props['aria-invalid'],
      'aria-describedby': [own, described].filter(Boolean).join(' ') || undefined,
    });
  });
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${controls}
    ${hint && html`<span class="hint" id=${id + '-hint'}>${hint}</span>`}
    ${error && html`<span class="field-error" id=${id + '-error'} role="alert">${[].concat(error).join('; ')}</span>`}
  </div>`;
}

export const Status = ({ value }) => html`<span class=${'status status-' + value}>${value}</span>`;

export function navigate(path, params) {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString() : '';
  location.hash = '#/' + path + (q ? '?' + q : '');
}
