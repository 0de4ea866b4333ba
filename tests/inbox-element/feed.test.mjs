// Unit tests of the <notify-inbox> element's logic without a browser (src/Notify.OperatorConsole/web/inbox/feed.js):
// `node --test tests/inbox-element/`, run by InboxElementScriptTests in the integration tests. The element itself
// is tested in the real Chromium (tests/Notify.IntegrationTests/Inbox/InboxElementBrowserTests.cs).
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_STRINGS, InboxClient, InboxError, appendPage, badge, format, mergeFirstPage, mergeStrings, normalizeCounts,
  normalizePage, parseEvent, readEventStream, replaceItem, safeUrl, timeAgo,
} from '../../src/Notify.OperatorConsole/web/inbox/feed.js';

const at = iso => Date.parse(iso);
const item = (id, created, extra = {}) => ({ id, title: 't' + id, body: '', url: null, avatar: null, created, seen: null, read: null, archived: null, ...extra });

test('format fills known placeholders and leaves unknown ones', () => {
  assert.equal(format('Notifications, {count} unread', { count: 3 }), 'Notifications, 3 unread');
  assert.equal(format('{a} and {b}', { a: 'x' }), 'x and {b}');
});

test('mergeStrings takes the page\'s strings over the defaults and ignores unknown keys and non-strings', () => {
  const strings = mergeStrings({ title: 'Benachrichtigungen', empty: 42, bogus: 'x' });
  assert.equal(strings.title, 'Benachrichtigungen');
  assert.equal(strings.empty, DEFAULT_STRINGS.empty);
  assert.equal('bogus' in strings, false);
  assert.deepEqual(mergeStrings(null), { ...DEFAULT_STRINGS });
});

test('timeAgo says just now under a minute, then the largest whole unit in the locale', () => {
  const now = at('2026-12-07T12:00:00Z');
  assert.equal(timeAgo('2026-12-07T11:59:30Z', now, 'en'), 'just now');
  assert.equal(timeAgo('2026-12-07T11:55:00Z', now, 'en'), '5 minutes ago');
  assert.equal(timeAgo('2026-12-07T09:00:00Z', now, 'en'), '3 hours ago');
  assert.equal(timeAgo('2026-12-06T11:00:00Z', now, 'en'), 'yesterday');
  assert.equal(timeAgo('2026-12-07T11:55:00Z', now, 'de'), 'vor 5 Minuten');
  assert.equal(timeAgo('2026-12-07T11:59:59Z', now, 'en', { justNow: 'gerade eben' }), 'gerade eben');
  // A clock a little ahead of the server's still reads "just now", never "in 2 seconds".
  assert.equal(timeAgo('2026-12-07T12:00:02Z', now, 'en'), 'just now');
  assert.equal(timeAgo('not a date', now, 'en'), '');
});

test('badge shows nothing at zero and caps at 99+', () => {
  assert.equal(badge(0), '');
  assert.equal(badge(7), '7');
  assert.equal(badge(99), '99');
  assert.equal(badge(100), '99+');
});

test('safeUrl keeps http and https only', () => {
  assert.equal(safeUrl('https://example.com/a?b=1'), 'https://example.com/a?b=1');
  assert.equal(safeUrl('http://example.com'), 'http://example.com/');
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('data:text/html,x'), null);
  assert.equal(safeUrl('/relative'), null);
  assert.equal(safeUrl(undefined), null);
});

test('normalizePage reads the items and the cursor, and no cursor on the last page', () => {
  const page = normalizePage({ items: [{ id: 'a', title: 'T', body: 'B', url: 'javascript:x', created: '2026-12-07T12:00:00Z', readAt: '2026-12-07T12:01:00Z' }], cursor: 'c1' });
  assert.equal(page.cursor, 'c1');
  assert.equal(page.items[0].url, null);
  assert.equal(page.items[0].read, '2026-12-07T12:01:00Z');
  assert.equal(normalizePage({ items: [], cursor: null }).cursor, null);
  assert.deepEqual(normalizePage(null), { items: [], cursor: null });
});

test('normalizeCounts reads the three counts and treats anything else as 0', () => {
  assert.deepEqual(normalizeCounts({ unread: 2, unseen: 1, total: 5 }), { unread: 2, unseen: 1, total: 5 });
  assert.deepEqual(normalizeCounts({ unread: -1, unseen: 'x' }), { unread: 0, unseen: 0, total: 0 });
});

test('mergeFirstPage puts the fresh page first and keeps only the older loaded items beyond it', () => {
  const shown = [item('b', '2026-12-07T11:00:00Z'), item('a', '2026-12-07T10:00:00Z'), item('old', '2026-12-06T10:00:00Z')];
  const fresh = [item('c', '2026-12-07T12:00:00Z'), item('b', '2026-12-07T11:00:00Z', { read: '2026-12-07T12:00:00Z' }), item('a', '2026-12-07T10:00:00Z')];
  const merged = mergeFirstPage(shown, fresh);
  assert.deepEqual(merged.map(i => i.id), ['c', 'b', 'a', 'old']);
  assert.equal(merged[1].read, '2026-12-07T12:00:00Z');
  // An item archived elsewhere leaves the first page and is not kept from the old list.
  assert.deepEqual(mergeFirstPage(shown, [item('a', '2026-12-07T10:00:00Z')]).map(i => i.id), ['a', 'old']);
});

test('appendPage adds a next page without doubles, and replaceItem swaps one item', () => {
  const list = [item('a', '2026-12-07T10:00:00Z')];
  assert.deepEqual(appendPage(list, [item('a', '2026-12-07T10:00:00Z'), item('z', '2026-12-01T10:00:00Z')]).map(i => i.id), ['a', 'z']);
  assert.equal(replaceItem(list, { ...list[0], read: 'x' })[0].read, 'x');
});

/** A fetch that answers from a list of handlers, recording every request. */
function fakeFetch(...answers) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, ...init });
    const answer = answers.shift();
    if (!answer) throw new Error('unexpected request ' + url);
    return answer(url, init);
  };
  return { fetchImpl, calls };
}

const json = (status, body, headers = {}) => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

test('the client sends the bearer token and sends the ETag back, and a 304 gives the last answer', async () => {
  let asked = 0;
  const { fetchImpl, calls } = fakeFetch(
    () => json(200, { unread: 2, unseen: 1, total: 3 }, { ETag: '"v1"' }),
    () => new Response(null, { status: 304 }),
  );
  const client = new InboxClient({ apiBase: 'https://notify.example/', tokenProvider: async () => { asked++; return 'tok-1'; }, fetchImpl });

  const first = await client.counts();
  const second = await client.counts();

  assert.equal(calls[0].url, 'https://notify.example/api/v1/inbox/counts');
  assert.equal(calls[0].headers.Authorization, 'Bearer tok-1');
  assert.equal(calls[0].headers['If-None-Match'], undefined);
  assert.equal(calls[1].headers['If-None-Match'], '"v1"');
  assert.deepEqual(second.counts, first.counts);
  assert.equal(second.notModified, true);
  assert.equal(asked, 1);
});

test('the client asks the provider again once on a 401, then gives up with the status', async () => {
  const tokens = ['old', 'new'];
  const { fetchImpl, calls } = fakeFetch(
    () => json(401, { title: 'Unauthorized' }),
    () => json(200, { items: [], cursor: null }),
    () => json(401, { title: 'Unauthorized' }),
    () => json(401, { title: 'Unauthorized' }),
  );
  const client = new InboxClient({ apiBase: 'https://n', tokenProvider: async () => tokens.shift() ?? 'none', fetchImpl });

  await client.items();
  assert.equal(calls[0].headers.Authorization, 'Bearer old');
  assert.equal(calls[1].headers.Authorization, 'Bearer new');
  assert.match(calls[1].url, /\/api\/v1\/inbox\/items\?filter=all&archived=false&limit=20$/);

  await assert.rejects(client.counts(), e => e instanceof InboxError && e.status === 401);
});

test('the client renews a token that expires within 30 s, and reads {token, expiresAt} from the provider', async () => {
  let clock = at('2026-12-07T12:00:00Z');
  let asked = 0;
  const { fetchImpl, calls } = fakeFetch(() => json(200, {}), () => json(200, {}), () => json(200, {}));
  const client = new InboxClient({
    apiBase: 'https://n',
    tokenProvider: async () => ({ token: 'tok-' + ++asked, expiresAt: new Date(clock + 600_000).toISOString() }),
    fetchImpl,
    now: () => clock,
  });

  await client.counts();
  clock += 60_000;
  await client.counts();
  clock += 520_000;
  await client.counts();

  assert.deepEqual(calls.map(c => c.headers.Authorization), ['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
});

test('the client refuses a provider that gives no token', async () => {
  const client = new InboxClient({ apiBase: 'https://n', tokenProvider: async () => '', fetchImpl: async () => json(200, {}) });
  await assert.rejects(client.counts(), InboxError);
});

test('actions post to the item\'s path and a later page carries the cursor without an ETag', async () => {
  const { fetchImpl, calls } = fakeFetch(
    () => json(200, { id: 'a/b', title: 'T', readAt: '2026-12-07T12:00:00Z' }),
    () => json(200, { items: [{ id: 'z' }], cursor: null }, { ETag: '"p2"' }),
    () => json(200, { unread: 0, unseen: 0, total: 1 }),
  );
  const client = new InboxClient({ apiBase: 'https://n', tokenProvider: async () => 't', fetchImpl });

  const updated = await client.act('a/b', 'read');
  await client.items({ cursor: 'c 1', limit: 5 });
  await client.readAll();

  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].url, 'https://n/api/v1/inbox/items/a%2Fb/read');
  assert.equal(updated.read, '2026-12-07T12:00:00Z');
  assert.equal(calls[1].url, 'https://n/api/v1/inbox/items?filter=all&archived=false&limit=5&cursor=c+1');
  assert.equal(client.etags.size, 0);
  assert.equal(calls[2].url, 'https://n/api/v1/inbox/items/read-all');
});

test('parseEvent reads event and data lines and skips comments', () => {
  assert.deepEqual(parseEvent('event: inbox\ndata: {"a":1}\ndata: x'), { type: 'inbox', data: '{"a":1}\nx' });
  assert.deepEqual(parseEvent('data:plain'), { type: 'message', data: 'plain' });
  assert.equal(parseEvent(': keep-alive'), null);
});

test('readEventStream gives every event of a stream split anywhere, until it ends', async () => {
  const text = ': hello\n\nevent: changed\ndata: 1\n\ndata: 2\r\n\r\n';
  const encoder = new TextEncoder();
  const stream = new ReadableStream({
    start(controller) {
      for (const chunk of [text.slice(0, 13), text.slice(13, 30), text.slice(30)]) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  const events = [];
  await readEventStream(new Response(stream), e => events.push(e));
  assert.deepEqual(events, [{ type: 'changed', data: '1' }, { type: 'message', data: '2' }]);
});
