// First: makes the browser's language safe for Intl before any other module (uPlot) builds a formatter from it.
import './locale.js';
import './style.css';
import 'uplot/dist/uPlot.min.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, setSession, whenSignedOut } from './api.js';
import { html, has } from './ui.js';
import { SignIn } from './pages/signin.js';
import { Activity } from './pages/activity.js';
import { Delivery } from './pages/delivery.js';
import { User } from './pages/user.js';
import { Templates, TemplateEditor } from './pages/templates.js';
import { Queues } from './pages/queues.js';
import { DeadLetters } from './pages/deadletters.js';
import { Stats } from './pages/stats.js';
import { Apps } from './pages/apps.js';
import { Categories } from './pages/categories.js';
import { Webhooks } from './pages/webhooks.js';

// Every page, the scope it needs, and whether it shows in the navigation. Routing is by hash (#/activity), so the
// server serves one page and a reload keeps the place.
const PAGES = [
  { path: 'activity', title: 'Activity', scope: 'notifications:read', component: Activity, nav: true },
  { path: 'delivery', title: 'Delivery', scope: 'notifications:read', component: Delivery },
  { path: 'user', title: 'User', scope: 'notifications:read', component: User, nav: true },
  { path: 'templates', title: 'Templates', scope: 'templates:write', component: Templates, nav: true },
  { path: 'template', title: 'Template', scope: 'templates:write', component: TemplateEditor },
  { path: 'categories', title: 'Categories', scope: 'templates:write', component: Categories, nav: true },
  { path: 'queues', title: 'Queues', scope: 'admin', component: Queues, nav: true },
  { path: 'dead-letters', title: 'Dead letters', scope: ['deadletters:replay', 'admin'], component: DeadLetters, nav: true },
  { path: 'stats', title: 'Stats', scope: 'admin', component: Stats, nav: true },
  { path: 'apps', title: 'Apps', scope: 'admin', component: Apps, nav: true },
  { path: 'webhooks', title: 'Webhooks', scope: ['webhooks:write', 'admin'], component: Webhooks, nav: true },
];

const allowed = (session, page) => [].concat(page.scope).some(s => has(session, s));

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, search = ''] = raw.split('?');
  const [path, ...rest] = pathPart.split('/');
  return { path: path || '', arg: rest.map(decodeURIComponent).join('/'), params: Object.fromEntries(new URLSearchParams(search)) };
}

function App() {
  const [session, setState] = useState(undefined);
  const [route, setRoute] = useState(parseHash());

  const apply = s => { setSession(s); setState(s); };
  useEffect(() => {
    whenSignedOut(() => apply(null));
    api('GET', 'console/session').then(r => apply(r.ok ? r.data : null));
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // A new page moves the focus to its heading, so keyboard and screen-reader users start at its top.
  useEffect(() => { document.getElementById('page-title')?.focus(); }, [route.path, route.arg, !!session]);

  if (session === undefined) return html`<p class="boot">Loading…</p>`;
  if (session === null) return html`<main id="main"><${SignIn} onSignedIn=${apply} /></main>`;

  const visible = PAGES.filter(p => allowed(session, p));
  let page = PAGES.find(p => p.path === route.path);
  if (!page) page = visible.find(p => p.nav);
  const signOut = async () => { await api('DELETE', 'console/session'); apply(null); location.hash = ''; };

  return html`
    <a class="skip" href="#main" onClick=${e => { e.preventDefault(); document.getElementById('page-title')?.focus(); }}>Skip to content</a>
    <header class="top">
      <span class="brand">Notify console</span>
      <nav aria-label="Pages"><ul>
        ${visible.filter(p => p.nav).map(p => html`<li><a href=${'#/' + p.path} aria-current=${page === p ? 'page' : undefined}>${p.title}</a></li>`)}
      </ul></nav>
      ${session.person
        ? html`<span class="who">Signed in as <strong>${session.person.displayName}</strong> (${session.person.role}${session.person.apps ? ', ' + session.person.apps.join(', ') : ''})</span>`
        : html`<span class="who">Signed in as <strong>${session.appKey}</strong>${session.isAdmin ? ' (admin)' : ''}</span>`}
      <button type="button" onClick=${signOut}>Sign out</button>
    </header>
    <main id="main">
      ${!page ? html`<h1 id="page-title" tabindex="-1">Nothing to show</h1><p>These scopes (${session.scopes.join(', ')}) open no page of the console.</p>`
        : !allowed(session, page) ? html`<h1 id="page-title" tabindex="-1">${page.title}</h1><p class="problem" role="alert">This page needs the scope <code>${[].concat(page.scope).join(' or ')}</code>, which ${session.person ? session.person.displayName : session.appKey} does not have.</p>`
        : html`<${page.component} key=${route.path + '/' + route.arg} session=${session} arg=${route.arg} params=${route.params} />`}
    </main>`;
}

render(html`<${App} />`, document.getElementById('app'));
