// <notify-inbox>: the bell a product page shows its signed-in user, with their Notify inbox in a popover.
//
//   <script src="https://notify.example.com/api/v1/inbox/element.js"></script>
//   <notify-inbox></notify-inbox>
//   <script>document.querySelector('notify-inbox').tokenProvider = () => fetch('/my/notify-token').then(r => r.json());</script>
//
// The loader (element.js, built by build.mjs) loads this bundle, whose name carries its hash. What it shows comes
// from the end-user API (feed.js); live updates come from Server-Sent Events where Notify offers them, else a poll
// with ETags. docs/inbox.md ("The component") lists its attributes, properties, events, strings and custom properties.
import {
  InboxClient, InboxError, appendPage, badge, format, mergeFirstPage, mergeStrings, normalizeCounts, readEventStream, replaceItem,
  timeAgo,
} from './feed.js';
import { STYLES } from './styles.js';

// The bundle's own origin, read while it runs: the default API base (Notify serves the API and the element together).
const SCRIPT_ORIGIN = (() => {
  try {
    const src = document.currentScript && document.currentScript.src;
    return src ? new URL(src).origin : location.origin;
  } catch {
    return location.origin;
  }
})();

const BELL_ICON = '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6v-5a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"/></svg>';
const ARCHIVE_ICON = '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path fill="currentColor" d="M20.54 5.23 19.15 3.55A1.5 1.5 0 0 0 18 3H6a1.5 1.5 0 0 0-1.16.55L3.46 5.23A2 2 0 0 0 3 6.5V19a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6.5a2 2 0 0 0-.46-1.27ZM12 17.5 6.5 12H10v-2h4v2h3.5L12 17.5ZM5.12 5l.81-1h12l.94 1H5.12Z"/></svg>';

const DEFAULT_POLL_SECONDS = 30;
const DEFAULT_PAGE_SIZE = 20;
const RECONNECT_MAX_MS = 30_000;

let instances = 0;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export class NotifyInboxElement extends HTMLElement {
  static observedAttributes = ['api-base', 'token-provider', 'poll-interval', 'live', 'page-size', 'locale'];

  #strings = mergeStrings(null);
  #tokenProvider = null;
  #client = null;
  #items = [];
  #cursor = null;
  #loaded = false;
  #counts = { unread: 0, unseen: 0, total: 0 };
  #state = 'idle';
  #busy = false;
  #isOpen = false;
  #live = null;
  #pollTimer = 0;
  #refreshQueued = null;
  #refreshAgain = false;
  #countsKnown = false;
  #started = false;
  #ids;
  #nodes;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      // A constructed sheet, so a page whose Content-Security-Policy refuses inline styles still styles the element.
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(el('style', { text: STYLES }));
    }
    const n = ++instances;
    this.#ids = { panel: `notify-inbox-panel-${n}`, title: `notify-inbox-title-${n}` };
    const bell = el('button', { type: 'button', class: 'bell', part: 'bell', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': this.#ids.panel });
    bell.innerHTML = BELL_ICON;
    const count = el('span', { class: 'badge', part: 'badge', 'aria-hidden': 'true', hidden: true });
    bell.append(count);
    const heading = el('h2', { id: this.#ids.title, class: 'title', tabindex: '-1' });
    const readAll = el('button', { type: 'button', class: 'link-button read-all', part: 'mark-all-read' });
    const status = el('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
    const list = el('ul', { class: 'list', part: 'list', 'aria-labelledby': this.#ids.title });
    const note = el('p', { class: 'note', part: 'note', hidden: true });
    const error = el('div', { class: 'note error', part: 'error', role: 'alert', hidden: true });
    const errorText = el('span');
    const retry = el('button', { type: 'button', class: 'link-button retry' });
    error.append(errorText, ' ', retry);
    const more = el('button', { type: 'button', class: 'more', part: 'load-more', hidden: true });
    const panel = el('div', { id: this.#ids.panel, class: 'panel', part: 'panel', role: 'dialog', 'aria-labelledby': this.#ids.title, hidden: true },
      el('div', { class: 'head' }, heading, readAll),
      status,
      el('div', { class: 'scroll' }, list, note, error, more));
    root.append(bell, panel);
    this.#nodes = { bell, count, heading, readAll, status, list, note, error, errorText, retry, more, panel };

    bell.addEventListener('click', () => this.toggle());
    readAll.addEventListener('click', () => this.#markAllRead());
    retry.addEventListener('click', () => this.#reload());
    more.addEventListener('click', () => this.#loadMore());
    list.addEventListener('click', event => this.#onListClick(event));
    root.addEventListener('keydown', event => this.#onKeyDown(event));
    this.addEventListener('focusout', event => {
      // Focus leaving the element (not moving inside it) closes the popover, as a disclosure does.
      if (this.#isOpen && event.relatedTarget && !this.contains(event.relatedTarget) && !root.contains(event.relatedTarget)) this.close({ focusBell: false });
    });
    // A page may set properties before this bundle loaded and upgraded the element: take them over from the instance.
    for (const property of ['tokenProvider', 'strings']) {
      if (Object.prototype.hasOwnProperty.call(this, property)) {
        const value = this[property];
        delete this[property];
        this[property] = value;
      }
    }
    this.#render();
  }

  // ---- public API -------------------------------------------------------------------------------------------------

  /** An async function returning a token for the signed-in user (a string, or {token, expiresAt} as Notify issues it). */
  get tokenProvider() { return this.#tokenProvider; }
  set tokenProvider(provider) {
    this.#tokenProvider = typeof provider === 'function' ? provider : null;
    this.#restart();
  }

  /** The element's strings: set any of them (docs/inbox.md lists the keys) to localize it. */
  get strings() { return { ...this.#strings }; }
  set strings(overrides) {
    this.#strings = mergeStrings(overrides);
    this.#render();
  }

  get unreadCount() { return this.#counts.unread; }
  get isOpen() { return this.#isOpen; }

  open() {
    if (this.#isOpen) return;
    this.#isOpen = true;
    this.#render();
    // Right-aligned under the bell, unless that would leave the viewport on the left (a bell near the left edge).
    const panel = this.#nodes.panel;
    panel.classList.toggle('align-left', this.getBoundingClientRect().right - panel.offsetWidth < 0);
    this.#nodes.heading.focus();
    document.addEventListener('pointerdown', this.#onDocumentPointer, true);
    this.dispatchEvent(new CustomEvent('notify-inbox-open', { bubbles: true, composed: true }));
    if (!this.#loaded) this.#reload();
    else this.refresh();
    this.#markSeen();
  }

  close({ focusBell = true } = {}) {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    document.removeEventListener('pointerdown', this.#onDocumentPointer, true);
    this.#render();
    if (focusBell) this.#nodes.bell.focus();
    this.dispatchEvent(new CustomEvent('notify-inbox-close', { bubbles: true, composed: true }));
  }

  toggle() { if (this.#isOpen) this.close(); else this.open(); }

  /** Reads the counts (and the first page when it has been shown) again; a 304 changes nothing. */
  async refresh() {
    if (!this.#client) return;
    if (this.#refreshQueued) {
      // A change signalled while a read is under way may have come after it: read once more when it ends.
      this.#refreshAgain = true;
      return this.#refreshQueued;
    }
    this.#refreshAgain = false;
    this.#refreshQueued = (async () => {
      try {
        const { counts } = await this.#client.counts();
        this.#takeCounts(counts);
        if (this.#loaded) {
          const page = await this.#client.items({ limit: this.#pageSize() });
          if (!page.notModified) {
            this.#items = mergeFirstPage(this.#items, page.items);
            if (this.#items.length === page.items.length) this.#cursor = page.cursor;
          }
          if (this.#state === 'error') this.#state = 'ready';
        }
      } catch (error) {
        this.#fail(error);
      } finally {
        this.#refreshQueued = null;
        this.#render();
      }
      if (this.#refreshAgain) await this.refresh();
    })();
    return this.#refreshQueued;
  }

  /** New counts: announced when the unread count grows (not at the first read), and seen at once while open. */
  #takeCounts(counts) {
    const before = this.#counts.unread;
    const known = this.#countsKnown;
    this.#counts = counts;
    this.#countsKnown = true;
    if (known && counts.unread > before) this.#announce(format(this.#strings.newItems, { count: counts.unread - before }));
    if (this.#isOpen && counts.unseen > 0) this.#markSeen();
  }

  // A live event. While the list has not been shown, the counts the stream carries are all the bell needs (no read);
  // once it has, any event reads the first page (and the counts) again, with their ETags.
  #onLiveEvent(event) {
    if (!this.#loaded && event.type === 'item') return;
    // While a read is under way its answer may be older than these counts: let it read once more instead.
    if (!this.#loaded && event.type === 'counts' && !this.#refreshQueued) {
      try {
        this.#takeCounts(normalizeCounts(JSON.parse(event.data)));
        this.#render();
        return;
      } catch {
        // Not the counts this element knows: read them instead.
      }
    }
    this.refresh();
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------------

  connectedCallback() {
    if (!this.#tokenProvider && this.hasAttribute('token-provider')) this.#tokenProvider = this.#namedProvider();
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#restart();
  }

  disconnectedCallback() {
    document.removeEventListener('visibilitychange', this.#onVisibility);
    document.removeEventListener('pointerdown', this.#onDocumentPointer, true);
    this.#stop();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue) return;
    if (name === 'token-provider' && !this.#tokenProvider) this.#tokenProvider = this.#namedProvider();
    if (name === 'locale') { this.#render(); return; }
    if (this.isConnected) this.#restart();
  }

  #namedProvider() {
    const name = this.getAttribute('token-provider');
    return name ? () => {
      const provider = globalThis[name];
      if (typeof provider !== 'function') throw new InboxError(0, `window.${name} is not a function`);
      return provider();
    } : null;
  }

  #restart() {
    this.#stop();
    if (!this.isConnected || !this.#tokenProvider) return;
    this.#client = new InboxClient({ apiBase: this.getAttribute('api-base') || SCRIPT_ORIGIN, tokenProvider: this.#tokenProvider });
    this.#items = [];
    this.#cursor = null;
    this.#loaded = false;
    this.#countsKnown = false;
    this.#started = true;
    this.refresh();
    if (this.#isOpen) this.#reload();
    this.#startLive();
  }

  #stop() {
    this.#started = false;
    if (this.#live) this.#live.abort();
    this.#live = null;
    clearInterval(this.#pollTimer);
    this.#pollTimer = 0;
  }

  #pageSize() {
    const size = Number.parseInt(this.getAttribute('page-size') ?? '', 10);
    return size >= 1 && size <= 100 ? size : DEFAULT_PAGE_SIZE;
  }

  #pollSeconds() {
    const seconds = Number.parseFloat(this.getAttribute('poll-interval') ?? '');
    return seconds >= 1 ? seconds : DEFAULT_POLL_SECONDS;
  }

  // Live updates: Server-Sent Events from GET /api/v1/inbox/events (read with fetch, so the token goes in a header);
  // every event means "the feed changed", and the ETag'd reads above fetch what did. Where the stream is not
  // offered (404, or live="poll"), or while it is down, the element polls instead.
  #startLive() {
    const mode = this.getAttribute('live') || 'auto';
    if (mode === 'off') return;
    const controller = new AbortController();
    this.#live = controller;
    if (mode === 'poll') { this.#startPolling(); return; }
    const client = this.#client;
    let delay = 1000;
    const connect = async () => {
      if (controller.signal.aborted) return;
      try {
        const token = await client.bearer();
        const response = await fetch(client.url('events'), {
          headers: { Accept: 'text/event-stream', Authorization: 'Bearer ' + token },
          cache: 'no-store', credentials: 'omit', mode: 'cors', signal: controller.signal,
        });
        if (response.status === 401) await client.bearer(true);
        if (!response.ok || !(response.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
          // No stream here (Azure without real-time, or an older Notify): poll from now on.
          if (response.status === 404 || response.status === 405) { this.#startPolling(); return; }
          throw new InboxError(response.status, 'stream refused');
        }
        this.#stopPolling();
        delay = 1000;
        // Whatever changed while the stream was down is read once it is back.
        this.refresh();
        await readEventStream(response, event => this.#onLiveEvent(event));
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      if (controller.signal.aborted) return;
      // Down: poll meanwhile, and try the stream again with a growing delay.
      this.#startPolling();
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    };
    connect();
  }

  #startPolling() {
    if (this.#pollTimer || !this.#started) return;
    this.#pollTimer = setInterval(() => { if (document.visibilityState !== 'hidden') this.refresh(); }, this.#pollSeconds() * 1000);
  }

  #stopPolling() {
    clearInterval(this.#pollTimer);
    this.#pollTimer = 0;
  }

  #onVisibility = () => {
    if (document.visibilityState === 'visible' && this.#started) this.refresh();
  };

  #onDocumentPointer = event => {
    if (this.#isOpen && !event.composedPath().includes(this)) this.close({ focusBell: false });
  };

  // ---- actions ----------------------------------------------------------------------------------------------------

  async #reload() {
    if (!this.#client) return;
    this.#state = 'loading';
    this.#render();
    try {
      const page = await this.#client.items({ limit: this.#pageSize() });
      this.#items = page.items;
      this.#cursor = page.cursor;
      this.#loaded = true;
      this.#state = 'ready';
    } catch (error) {
      this.#fail(error);
    }
    this.#render();
  }

  async #loadMore() {
    if (!this.#cursor || this.#busy) return;
    this.#busy = true;
    const first = this.#items.length;
    try {
      const page = await this.#client.items({ cursor: this.#cursor, limit: this.#pageSize() });
      this.#items = appendPage(this.#items, page.items);
      this.#cursor = page.cursor;
    } catch (error) {
      this.#fail(error);
    }
    this.#busy = false;
    this.#render();
    // Focus the first of the new items, so a keyboard user goes on reading where the list grew.
    const next = this.#nodes.list.children[first]?.querySelector('.open');
    if (next) next.focus();
  }

  async #markSeen() {
    if (!this.#client || this.#counts.unseen === 0) return;
    try {
      await this.#client.seenAll();
      this.#counts = { ...this.#counts, unseen: 0 };
    } catch {
      // Seen is a hint for the badge elsewhere; a failure here changes nothing the user sees.
    }
  }

  async #markAllRead() {
    if (!this.#client) return;
    // The button is disabled once nothing is unread, which would drop its focus to the page: keep it in the dialog.
    const refocus = this.shadowRoot.activeElement === this.#nodes.readAll;
    try {
      await this.#client.readAll();
      const now = new Date().toISOString();
      this.#items = this.#items.map(i => (i.read ? i : { ...i, read: now }));
      this.#counts = { ...this.#counts, unread: 0 };
    } catch (error) {
      this.#fail(error);
    }
    this.#render();
    if (refocus && this.#nodes.readAll.disabled) this.#nodes.heading.focus();
    this.refresh();
  }

  async #act(item, action) {
    try {
      const updated = await this.#client.act(item.id, action);
      if (action === 'archive') {
        this.#items = this.#items.filter(i => i.id !== item.id);
      } else if (updated) {
        this.#items = replaceItem(this.#items, updated);
      }
      if ((action === 'read' || action === 'click') && !item.read) this.#counts = { ...this.#counts, unread: Math.max(0, this.#counts.unread - 1) };
      if (action === 'archive' && !item.read) this.#counts = { ...this.#counts, unread: Math.max(0, this.#counts.unread - 1) };
    } catch (error) {
      this.#fail(error);
    }
    this.#render();
    this.refresh();
  }

  #onListClick(event) {
    const control = event.target.closest('button, a');
    const row = control?.closest('li[data-id]');
    if (!row) return;
    const item = this.#items.find(i => i.id === row.dataset.id);
    if (!item) return;
    if (control.classList.contains('archive')) {
      const index = [...this.#nodes.list.children].indexOf(row);
      this.#act(item, 'archive').then(() => {
        // Focus stays in the list: the item now at that place, else the one before, else the heading.
        const rows = this.#nodes.list.children;
        const target = rows[Math.min(index, rows.length - 1)]?.querySelector('.open');
        (target || this.#nodes.heading).focus();
      });
      return;
    }
    if (!control.classList.contains('open')) return;
    const opened = new CustomEvent('notify-inbox-item-click', { bubbles: true, composed: true, cancelable: true, detail: { item } });
    if (control.tagName !== 'A') {
      // No link: opening it is reading it (Notify reports the delivery opened).
      if (!item.read) this.#act(item, 'read');
      this.dispatchEvent(opened);
      return;
    }
    // A link: 'click' marks it read and reports the delivery clicked. A modified click (new tab) goes as the browser
    // takes it; a plain one waits for the mark, then follows the link, unless the page took the event.
    const clicked = this.#act(item, 'click');
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return;
    event.preventDefault();
    if (!this.dispatchEvent(opened)) return;
    clicked.finally(() => { location.assign(item.url); });
  }

  #onKeyDown(event) {
    if (event.key === 'Escape' && this.#isOpen) {
      event.stopPropagation();
      this.close();
      return;
    }
    if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && this.#isOpen) {
      const controls = [...this.#nodes.list.querySelectorAll('.open')];
      if (controls.length === 0) return;
      const index = controls.indexOf(this.shadowRoot.activeElement);
      const next = event.key === 'ArrowDown' ? Math.min(index + 1, controls.length - 1) : Math.max(index - 1, 0);
      controls[index < 0 ? 0 : next].focus();
      event.preventDefault();
    }
  }

  #fail(error) {
    this.#state = 'error';
    this.#error = error;
  }

  #error = null;

  #announce(text) {
    this.#nodes.status.textContent = text;
  }

  // ---- rendering --------------------------------------------------------------------------------------------------

  #locale() {
    return this.getAttribute('locale') || document.documentElement.lang || navigator.language || 'en';
  }

  #render() {
    const s = this.#strings;
    const { bell, count, heading, readAll, list, note, error, errorText, retry, more, panel } = this.#nodes;
    const unread = this.#counts.unread;
    bell.setAttribute('aria-label', unread > 0 ? format(s.bellUnread, { count: unread }) : s.bell);
    bell.setAttribute('aria-expanded', String(this.#isOpen));
    count.textContent = badge(unread);
    count.hidden = unread === 0;
    panel.hidden = !this.#isOpen;
    heading.textContent = s.title;
    readAll.textContent = s.markAllRead;
    readAll.disabled = unread === 0;
    retry.textContent = s.retry;
    more.textContent = s.loadMore;
    if (!this.#isOpen) return;

    const focused = this.shadowRoot.activeElement;
    const focusKey = focused && focused.closest('li[data-id]') ? [focused.closest('li[data-id]').dataset.id, focused.className] : null;
    const now = Date.now();
    const locale = this.#locale();
    list.replaceChildren(...this.#items.map(item => this.#renderItem(item, now, locale)));
    if (focusKey) {
      const row = [...list.children].find(r => r.dataset.id === focusKey[0]);
      const again = row && [...row.querySelectorAll('a, button')].find(c => c.className === focusKey[1]);
      if (again) again.focus();
    }
    const failed = this.#state === 'error';
    error.hidden = !failed;
    errorText.textContent = s.error;
    const loading = this.#state === 'loading' && this.#items.length === 0;
    note.hidden = failed || !(loading || (this.#loaded && this.#items.length === 0));
    note.textContent = loading ? s.loading : s.empty;
    more.hidden = !this.#cursor || failed;
  }

  #renderItem(item, now, locale) {
    const s = this.#strings;
    const unread = !item.read;
    const titleId = `${this.#ids.panel}-item-${item.id}`;
    const open = item.url
      ? el('a', { class: 'open', part: 'item-link', href: item.url, id: titleId, text: item.title })
      : el('button', { type: 'button', class: 'open', part: 'item-button', id: titleId, text: item.title });
    if (unread) open.append(el('span', { class: 'sr-only', text: ` (${s.unread})` }));
    const content = el('div', { class: 'content' }, open);
    if (item.body) content.append(el('p', { class: 'body', text: item.body }));
    if (item.created) {
      content.append(el('time', { class: 'time', datetime: item.created, title: new Date(item.created).toLocaleString(locale), text: timeAgo(item.created, now, locale, s) }));
    }
    const archive = el('button', { type: 'button', class: 'archive', part: 'archive', 'aria-label': format(s.archiveItem, { title: item.title }), title: s.archive });
    archive.innerHTML = ARCHIVE_ICON;
    const row = el('li', { class: unread ? 'item unread' : 'item', part: unread ? 'item unread' : 'item', 'data-id': item.id },
      el('span', { class: 'dot', 'aria-hidden': 'true' }));
    if (item.avatar) row.append(el('img', { class: 'avatar', src: item.avatar, alt: '', loading: 'lazy' }));
    row.append(content, archive);
    return row;
  }
}

if (!customElements.get('notify-inbox')) customElements.define('notify-inbox', NotifyInboxElement);
