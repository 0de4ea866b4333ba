import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, Header, Problem, Status, time, duration } from '../ui.js';

const ORDER = ['subject', 'title', 'text', 'body', 'html'];

/**
 * The timeline: every status the delivery went through and every event reported about it after it left (receipts,
 * opens, clicks...), oldest first. A status and the event that caused it may both appear: the status is what the log
 * recorded, the event who reported what and when.
 */
function steps(delivery) {
  const all = [
    ...(delivery.history || []).map(h => ({ ...h, kind: 'status' })),
    ...(delivery.events || []).map(e => ({ ...e, kind: 'event' })),
  ];
  // Stable: a status and an event at the same instant keep the status first.
  return all.sort((a, b) => new Date(a.at) - new Date(b.at));
}

/** One delivery: its timeline with the time between steps, attempts and errors, provider, and what the user received. */
export function Delivery({ arg }) {
  const [delivery, setDelivery] = useState(null);
  const [content, setContent] = useState(null);
  const [problem, setProblem] = useState(null);

  useEffect(() => {
    api('GET', 'notifications/' + encodeURIComponent(arg)).then(r => r.ok ? setDelivery(r.data) : setProblem(r.data));
    api('GET', 'notifications/' + encodeURIComponent(arg) + '/content').then(r => setContent(r.ok ? r.data : { problem: r.data }));
  }, [arg]);

  if (problem) return html`<${Header} title="Delivery" scope="notifications:read" /><${Problem} problem=${problem} />`;
  if (!delivery) return html`<${Header} title="Delivery" scope="notifications:read" /><p>Loading…</p>`;
  const timeline = steps(delivery);
  const events = delivery.events || [];

  return html`
    <${Header} title=${'Delivery ' + delivery.id} scope="notifications:read" />
    <dl class="facts">
      <dt>Status</dt><dd><${Status} value=${delivery.status} />${delivery.reason ? ' (' + delivery.reason + ')' : ''}</dd>
      <dt>Channel</dt><dd>${delivery.channel}${delivery.platform ? ' / ' + delivery.platform : ''}</dd>
      <dt>User</dt><dd><a href=${'#/user/' + encodeURIComponent(delivery.userId)}>${delivery.userId}</a></dd>
      <dt>Event</dt><dd><a href=${'#/activity?eventId=' + encodeURIComponent(delivery.eventId)}>${delivery.eventId}</a></dd>
      ${delivery.template && html`<dt>Template</dt><dd>${delivery.template}${delivery.templateVersion ? ' (version ' + delivery.templateVersion + ')' : ''}</dd>`}
      ${delivery.app && html`<dt>App</dt><dd>${delivery.app}</dd>`}
      <dt>Attempts</dt><dd>${delivery.attempts}</dd>
      <dt>Provider</dt><dd>${delivery.provider || '—'}</dd>
      <dt>Provider message id</dt><dd>${delivery.providerMessageId || '—'}</dd>
      ${delivery.lastError && html`<dt>Last error</dt><dd class="error-text">${delivery.lastError}</dd>`}
      ${delivery.nextAttemptAt && html`<dt>Next attempt</dt><dd>${time(delivery.nextAttemptAt)}</dd>`}
    </dl>
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <p class="muted">${events.length === 0 ? 'No receipt, open or click reported yet.' : 'Statuses, and the ' + events.length + ' receipt, open and click ' + (events.length === 1 ? 'event' : 'events') + ' reported after sending (marked event).'}</p>
      <ol class="timeline">${timeline.map((h, i) => html`<li class=${'step-' + h.kind}>
        ${h.kind === 'event'
          ? html`<span class="tag">event</span> <span class=${'event-type status-' + h.type}>${h.type}</span>`
          : html`<${Status} value=${h.status} />`} <time datetime=${h.at}>${time(h.at)}</time>
        ${i > 0 && html` <span class="after">+${duration(new Date(h.at) - new Date(timeline[i - 1].at))}</span>`}
        ${h.attempt > 0 && html` <span class="muted">attempt ${h.attempt}</span>`}
        ${h.provider && html` <span class="muted">via ${h.provider}</span>`}
        ${h.source && html` <span class="muted">from ${h.source}</span>`}
        ${h.detail && html` <span class="detail">${h.detail}</span>`}
      </li>`)}</ol>
    </section>
    <section aria-labelledby="content-title">
      <h2 id="content-title">What the user received</h2>
      ${!content ? html`<p>Loading…</p>` : content.problem ? html`<${Problem} problem=${content.problem} />` : html`
        <p class="muted">${content.channel}, locale ${content.locale}${content.address ? ', to ' + content.address : ''}</p>
        <dl class="content">${Object.entries(content.fields || {}).sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b)).map(([k, v]) => html`<dt>${k}</dt><dd><pre>${v}</pre></dd>`)}</dl>`}
    </section>`;
}
