import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Field, fieldErrors } from '../ui.js';

/**
 * People sign in with their organization's account (OpenID Connect: a plain link, the server does the redirect and
 * sets the session cookie); apps with their key and secret when that is on. The secret stays in this form's memory only.
 */
export function SignIn({ onSignedIn }) {
  const [options, setOptions] = useState(null);
  useEffect(() => {
    api('GET', 'console/signin-options').then(r => setOptions(r.ok ? r.data : { appKey: true, people: false }));
  }, []);
  const [appKey, setAppKey] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    setError(null);
    const missing = {};
    if (!appKey.trim()) missing.appKey = ['is required'];
    if (!secret) missing.secret = ['is required'];
    if (Object.keys(missing).length > 0) { setProblem({ errors: missing }); return; }
    setProblem(null);
    setBusy(true);
    const r = await api('POST', 'console/session', { appKey: appKey.trim(), secret });
    setBusy(false);
    setSecret('');
    if (r.ok) onSignedIn(r.data);
    else if (r.data?.errors) setProblem(r.data);
    else setError(r.status === 401 ? 'Wrong app key or secret, or the app is disabled.' : (r.data?.detail || r.data?.title || 'Sign-in failed (' + r.status + ').'));
  }

  if (!options) return html`<section class="signin"><h1 id="page-title" tabindex="-1">Sign in</h1><p>Loading…</p></section>`;
  return html`<section class="signin">
    <h1 id="page-title" tabindex="-1">Sign in</h1>
    ${options.people && html`<p>Sign in with your organization's account. What you see and may do follows your role (Viewer, Support, Author or Admin).</p>
      <p><a class="button" id="signin-people" href="/api/v1/console/oidc/start">Sign in with your organization</a></p>`}
    ${options.appKey && html`<p>${options.people ? 'Or sign' : 'Sign'} in with an app's key and secret. What you see and may do follows that app's scopes.</p>
    <form onSubmit=${submit} noValidate>
      <${Field} id="app-key" label="App key" error=${fieldErrors(problem, 'appKey')}><input id="app-key" name="appKey" autocomplete="username" required value=${appKey} onInput=${e => setAppKey(e.target.value)} /><//>
      <${Field} id="secret" label="Secret" error=${fieldErrors(problem, 'secret')}><input id="secret" name="secret" type="password" autocomplete="current-password" required value=${secret} onInput=${e => setSecret(e.target.value)} /><//>
      ${error && html`<p class="problem" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>`}
    ${!options.appKey && !options.people && html`<p class="problem" role="alert">No sign-in is on: see docs/security.md.</p>`}
  </section>`;
}
