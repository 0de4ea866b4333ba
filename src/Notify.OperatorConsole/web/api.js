// The console's only way to the server: the public API, same origin, with the session cookie; writes carry the CSRF
// token the session gave (the cookie alone cannot make a state-changing call).
let csrfToken = null;
let onSignedOut = () => {};

export function setSession(session) { csrfToken = session ? session.csrfToken : null; }
export function whenSignedOut(handler) { onSignedOut = handler; }

/** Calls the API; resolves to { ok, status, data } where data is the JSON answer or problem document (or null). */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch('/api/v1/' + path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, data: { title: 'Network error', detail: 'The server could not be reached.' } };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { title: text }; }
  if (response.status === 401 && path !== 'console/session') onSignedOut();
  return { ok: response.ok, status: response.status, data };
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

/** "line 3, column 7" out of a message, or null. */
export function position(message) {
  const m = /line (\d+),? column (\d+)/i.exec(message || '');
  return m ? { line: +m[1], column: +m[2] } : null;
}
