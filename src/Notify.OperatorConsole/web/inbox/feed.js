// The <notify-inbox> element's talk with Notify's end-user inbox API (docs/inbox.md): the bearer token from the
// page's token provider (asked again once when the API answers 401), the ETag of every feed answer sent back as
// If-None-Match so a poll that finds nothing new costs a 304, and the shapes the element shows. No DOM here: the
// unit tests (tests/inbox-element/) run it in Node.

/** The strings the element shows; a page replaces any of them (element.strings = {...}) to localize it. */
export const DEFAULT_STRINGS = Object.freeze({
  bell: 'Notifications',
  bellUnread: 'Notifications, {count} unread',
  title: 'Notifications',
  markAllRead: 'Mark all as read',
  archive: 'Archive',
  archiveItem: 'Archive: {title}',
  unread: 'Unread',
  empty: 'You have no notifications.',
  error: 'Notifications could not be loaded.',
  retry: 'Try again',
  loadMore: 'Load more',
  loading: 'Loading…',
  close: 'Close',
  newItems: '{count} new notifications',
  justNow: 'just now',
});

/** A string with its {placeholders} filled. */
export function format(template, values = {}) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** The page's strings over the defaults, keeping only known keys with string values. */
export function mergeStrings(overrides) {
  const strings = { ...DEFAULT_STRINGS };
  if (overrides && typeof overrides === 'object') {
    for (const key of Object.keys(DEFAULT_STRINGS)) {
      if (typeof overrides[key] === 'string') strings[key] = overrides[key];
    }
  }
  return strings;
}

const UNITS = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];

/** "5 minutes ago" in the locale (Intl.RelativeTimeFormat); under a minute, strings.justNow. */
export function timeAgo(iso, now, locale, strings = DEFAULT_STRINGS) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  for (const [unit, size] of UNITS) {
    if (seconds >= size) {
      return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-Math.floor(seconds / size), unit);
    }
  }
  return strings.justNow;
}

/** The badge's text: the count, "99+" above 99, nothing at 0. */
export const badge = count => (count > 99 ? '99+' : count > 0 ? String(count) : '');

/** Only http and https links are followed (the API allows no other; this keeps a javascript: URL out regardless). */
export function safeUrl(url) {
  if (typeof url !== 'string' || url.length === 0) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** One item as the element shows it, from the API's item. */
export function normalizeItem(raw) {
  return {
    id: String(raw.id),
    title: raw.title ?? '',
    body: raw.body ?? '',
    url: safeUrl(raw.url),
    avatar: safeUrl(raw.avatar),
    created: raw.created ?? raw.createdAt ?? null,
    seen: raw.seen ?? raw.seenAt ?? null,
    read: raw.read ?? raw.readAt ?? null,
    archived: raw.archived ?? raw.archivedAt ?? null,
  };
}

/** A page of the feed: its items and the cursor of the next page (null on the last). */
export function normalizePage(json) {
  const items = Array.isArray(json?.items) ? json.items.map(normalizeItem) : [];
  const cursor = json?.cursor ?? json?.nextCursor ?? json?.continuationToken ?? null;
  return { items, cursor: typeof cursor === 'string' && cursor.length > 0 ? cursor : null };
}

/** Counts as the element shows them (0 for anything missing). */
export function normalizeCounts(json) {
  const n = v => (Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
  return { unread: n(json?.unread), unseen: n(json?.unseen), total: n(json?.total) };
}

/**
 * The first page refreshed into the list already shown: the fresh page first (newest first, with the states the
 * server has now), then the older items loaded with "load more" that the fresh page does not reach, without doubles.
 */
export function mergeFirstPage(shown, fresh) {
  const ids = new Set(fresh.map(i => i.id));
  const freshOldest = fresh.length > 0 ? Date.parse(fresh[fresh.length - 1].created) : Infinity;
  const older = shown.filter(i => !ids.has(i.id) && Date.parse(i.created) < freshOldest);
  return [...fresh, ...older];
}

/** A next page appended to the list shown, without doubles. */
export function appendPage(shown, next) {
  const ids = new Set(shown.map(i => i.id));
  return [...shown, ...next.filter(i => !ids.has(i.id))];
}

/** The list with one item replaced by the server's answer (or left as it was when the answer is not an item). */
export function replaceItem(list, updated) {
  return list.map(i => (i.id === updated.id ? updated : i));
}

export class InboxError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * The end-user API at apiBase (the origin Notify is served from, e.g. https://notify.example.com), called with the
 * token the provider gives: an async function returning the token (a string, or an object with token and expiresAt).
 * fetchImpl is the global fetch in a browser.
 */
export class InboxClient {
  constructor({ apiBase, tokenProvider, fetchImpl = globalThis.fetch?.bind(globalThis), now = () => Date.now() }) {
    this.apiBase = String(apiBase ?? '').replace(/\/+$/, '');
    this.tokenProvider = tokenProvider;
    this.fetch = fetchImpl;
    this.now = now;
    this.token = null;
    this.tokenExpires = 0;
    this.etags = new Map();
  }

  url(path) {
    return this.apiBase + '/api/v1/inbox/' + path;
  }

  /** The token, asked of the provider when there is none or it expires within 30 s. */
  async bearer(force = false) {
    if (!force && this.token && this.now() < this.tokenExpires - 30_000) return this.token;
    if (typeof this.tokenProvider !== 'function') throw new InboxError(0, 'No token provider');
    const given = await this.tokenProvider();
    const token = typeof given === 'string' ? given : given?.token;
    if (typeof token !== 'string' || token.length === 0) throw new InboxError(0, 'The token provider gave no token');
    const expires = typeof given === 'object' && given.expiresAt ? Date.parse(given.expiresAt) : NaN;
    this.token = token;
    // Without an expiry the token is kept until the API refuses it (401 asks the provider again).
    this.tokenExpires = Number.isNaN(expires) ? Infinity : expires;
    return token;
  }

  /**
   * One call; resolves to { status, data, notModified }. A GET sends the ETag of its last answer; a 401 asks the
   * provider for a new token and tries once more.
   */
  async request(method, path, { conditional = false } = {}) {
    for (let attempt = 0; ; attempt++) {
      const token = await this.bearer(attempt > 0);
      const headers = { Accept: 'application/json', Authorization: 'Bearer ' + token };
      const cached = conditional ? this.etags.get(path) : undefined;
      if (cached) headers['If-None-Match'] = cached.etag;
      let response;
      try {
        response = await this.fetch(this.url(path), { method, headers, cache: 'no-store', credentials: 'omit', mode: 'cors' });
      } catch {
        throw new InboxError(0, 'Network error');
      }
      if (response.status === 401 && attempt === 0) continue;
      if (response.status === 304 && cached) return { status: 304, data: cached.data, notModified: true };
      const text = await response.text();
      let data = null;
      try { data = text ? JSON.parse(text) : null; } catch { data = null; }
      if (!response.ok) throw new InboxError(response.status, data?.title ?? 'HTTP ' + response.status);
      const etag = response.headers.get('ETag');
      if (conditional && etag) this.etags.set(path, { etag, data });
      return { status: response.status, data, notModified: false };
    }
  }

  async counts() {
    const { data, notModified } = await this.request('GET', 'counts', { conditional: true });
    return { counts: normalizeCounts(data), notModified };
  }

  async items({ cursor = null, limit = 20 } = {}) {
    const query = new URLSearchParams({ filter: 'all', archived: 'false', limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    // Only the first page is polled; a later page is read once, so it needs no ETag kept.
    const { data, notModified } = await this.request('GET', 'items?' + query, { conditional: !cursor });
    return { ...normalizePage(data), notModified };
  }

  async act(id, action) {
    const { data } = await this.request('POST', 'items/' + encodeURIComponent(id) + '/' + action);
    return data && data.id !== undefined ? normalizeItem(data) : null;
  }

  async readAll() { await this.request('POST', 'items/read-all'); }

  async seenAll() { await this.request('POST', 'items/seen-all'); }
}

/**
 * Server-Sent Events read with fetch (EventSource cannot send an Authorization header): calls onEvent for every
 * event until the stream ends or signal aborts. Returns when the stream closes; throws when it cannot open.
 */
export async function readEventStream(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
      const event = parseEvent(block);
      if (event) onEvent(event);
    }
  }
}

/** One SSE block ("event:", "data:" lines; ":" comments are keep-alives) as { type, data }, or null for a comment. */
export function parseEvent(block) {
  let type = 'message';
  const data = [];
  let any = false;
  for (const line of block.split(/\r?\n/)) {
    if (line.length === 0 || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') { type = value; any = true; }
    if (field === 'data') { data.push(value); any = true; }
  }
  return any ? { type, data: data.join('\n') } : null;
}
