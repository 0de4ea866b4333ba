import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { html, Header, Field, Problem, Status, time, has, navigate, fieldErrors } from '../ui.js';
import { UserCategories } from './categories.js';

/** A user's profile with masked contacts, devices, preferences, and recent deliveries on every channel. */
export function User({ session, arg }) {
  const [userId, setUserId] = useState(arg || '');
  const [lookup, setLookup] = useState('');
  const [found, setFound] = useState(null);
  const [user, setUser] = useState(null);
  const [deliveries, setDeliveries] = useState(null);
  const [idError, setIdError] = useState(null);

  useEffect(() => {
    if (!arg) return;
    if (has(session, 'users:write') || has(session, 'users:read')) api('GET', 'users/' + encodeURIComponent(arg) + '?masked=true').then(r => setUser(r.ok ? r.data : { problem: r.data }));
    api('GET', 'notifications' + query({ userId: arg, limit: 20 })).then(r => setDeliveries(r.ok ? r.data.deliveries : { problem: r.data }));
  }, [arg]);

  async function find(e) {
    e.preventDefault();
    const value = lookup.trim();
    if (!value) { setFound({ problem: { errors: { lookup: ['enter an e-mail address or a phone number'] } } }); return; }
    if (value.includes('@') ? !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) : !/^\+?[0-9 ().-]{4,}$/.test(value)) {
      setFound({ problem: { errors: { lookup: [value.includes('@') ? 'must be an e-mail address' : 'must be a phone number such as +15551234567'] } } });
      return;
    }
    const r = await api('GET', 'admin/users/lookup' + query(value.includes('@') ? { email: value } : { phone: value }));
    setFound(r.ok ? r.data.users : { problem: r.data });
  }

  return html`
    <${Header} title=${arg ? 'User ' + arg : 'User'} scope="notifications:read" />
    <form class="inline" noValidate onSubmit=${e => { e.preventDefault(); setIdError(userId.trim() ? null : ['is required']); if (userId.trim()) navigate('user/' + encodeURIComponent(userId.trim())); }}>
      <${Field} id="user-id" label="User id" error=${idError}><input id="user-id" value=${userId} onInput=${e => setUserId(e.target.value)} required /><//>
      <button type="submit">Show user</button>
    </form>
    ${(session.isAdmin || has(session, 'users:lookup')) && html`<form class="inline" noValidate onSubmit=${find}>
      <${Field} id="user-lookup" label="Find by e-mail or phone" hint="admin or users:lookup; looked up through a hashed index" error=${fieldErrors(found?.problem, 'lookup', 'email', 'phone')}><input id="user-lookup" value=${lookup} onInput=${e => setLookup(e.target.value)} /><//>
      <button type="submit">Find</button>
    </form>
    ${found && (found.problem ? html`<${Problem} problem=${found.problem} shown=${['lookup', 'email', 'phone']} />` : html`<ul>${found.length === 0 ? html`<li>No user has it.</li>` : found.map(u => html`<li><a href=${'#/user/' + encodeURIComponent(u.userId)}>${u.userId}</a></li>`)}</ul>`)}`}
    ${arg && user && (user.problem ? html`<${Problem} problem=${user.problem} />` : html`
      <section aria-labelledby="profile-title"><h2 id="profile-title">Profile</h2>
        <dl class="facts">
          <dt>E-mail</dt><dd>${user.email || '—'}</dd><dt>Phone</dt><dd>${user.phone || '—'}</dd>
          <dt>Locale</dt><dd>${user.locale || '—'}</dd><dt>Time zone</dt><dd>${user.timeZone || '—'}</dd>
        </dl></section>
      <section aria-labelledby="devices-title"><h2 id="devices-title">Devices</h2>
        ${(user.devices || []).length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${user.devices.map(d => html`<li>${d.platform} <code>${d.id || d.token}</code> registered ${time(d.registeredAt)}</li>`)}</ul>`}
      </section>
      <section aria-labelledby="prefs-title"><h2 id="prefs-title">Preferences</h2>
        ${Object.keys(user.preferences || {}).length === 0 && html`<p class="muted">None set: every channel is on by default.</p>`}
        <ul>${Object.entries(user.preferences || {}).filter(([k]) => k !== 'categories').map(([k, v]) => html`<li>${k}: ${v === false ? 'off' : v === true ? 'on' : 'default'}</li>`)}</ul>
      </section>
      <section aria-labelledby="categories-title"><h2 id="categories-title">Category preferences</h2>
        ${has(session, 'templates:write') ? html`<${UserCategories} userId=${arg} />`
          : html`<p class="muted">Listing the categories needs <code>templates:write</code> too.</p>`}
      </section>`)}
    ${arg && !has(session, 'users:write') && !has(session, 'users:read') && html`<p class="muted">The profile needs <code>users:read</code> or <code>users:write</code>.</p>`}
    ${arg && deliveries && html`<section aria-labelledby="recent-title"><h2 id="recent-title">Recent deliveries</h2>
      ${deliveries.problem ? html`<${Problem} problem=${deliveries.problem} />` : html`<table class="grid"><caption class="visually-hidden">Recent deliveries of ${arg}</caption>
        <thead><tr><th scope="col">Created</th><th scope="col">Channel</th><th scope="col">Status</th><th scope="col">Template</th><th scope="col">Delivery</th></tr></thead>
        <tbody>${deliveries.map(d => html`<tr><td>${time(d.createdAt)}</td><td>${d.channel}</td><td><${Status} value=${d.status} /></td><td>${d.template}</td><td><a href=${'#/delivery/' + encodeURIComponent(d.id)}>${d.id}</a></td></tr>`)}</tbody></table>`}
    </section>`}`;
}
