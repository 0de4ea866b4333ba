// Where an error about a template definition sits in the editor's text. The API names a field by its path
// (channels.sms.body) and a Liquid error by its line and column inside that field's string, which JSON writes on one
// line with \n escapes: so the editor's line is the line of the field's value, and its column follows the escapes.

/** The offset in JSON text of the value at a dotted path ('' is the whole document), or -1: read as JSON.parse reads it. */
export function valueOffset(text, path) {
  const want = path === '' ? [] : path.split('.');
  let i = 0;
  let found = -1;
  const fail = () => { throw new SyntaxError('not JSON'); };
  const space = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const string = () => {
    let out = '';
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        const c = text[i + 1];
        if (c === 'u') { out += String.fromCharCode(parseInt(text.substr(i + 2, 4), 16)); i += 6; }
        else { out += { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[c] ?? c; i += 2; }
      } else {
        out += text[i++];
      }
    }
    if (i >= text.length) fail();
    i++;
    return out;
  };
  const value = keys => {
    space();
    if (found < 0 && keys.length === want.length && keys.every((k, n) => k === want[n])) found = i;
    const c = text[i];
    if (c === '{' || c === '[') {
      const object = c === '{';
      i++;
      space();
      if (text[i] === (object ? '}' : ']')) { i++; return; }
      for (let n = 0; ; n++) {
        space();
        let key = String(n);
        if (object) {
          if (text[i] !== '"') fail();
          key = string();
          space();
          if (text[i++] !== ':') fail();
        }
        value([...keys, key]);
        space();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === (object ? '}' : ']')) return;
        fail();
      }
    }
    if (c === '"') { string(); return; }
    const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!literal) fail();
    i += literal[0].length;
  };
  try { value([]); } catch { /* Text that is not JSON: what was found before the fault still counts. */ }
  return found;
}

/** 1-based line and column of an offset. */
export function lineColumnAt(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** The offset of a 1-based line and column (clamped to the text). */
export function offsetOf(text, line, column) {
  let offset = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const end = text.indexOf('\n', offset);
  return Math.min(offset + Math.max(column, 1) - 1, end < 0 ? text.length : end);
}

/** Inside the JSON string starting at `quote`: the text offset of the decoded string's line and column. */
function insideString(text, quote, line, column) {
  let l = 1;
  let c = 1;
  let j = quote + 1;
  while (j < text.length && text[j] !== '"') {
    if (l === line && c === column) return j;
    if (text[j] === '\\') {
      const escaped = text[j + 1];
      if (escaped === 'n') { l++; c = 1; } else { c++; }
      j += escaped === 'u' ? 6 : 2;
    } else {
      c++;
      j++;
    }
  }
  // Past the end of its line (an unclosed tag is reported where the text ends): the closing quote.
  return l >= line ? j : quote;
}

/**
 * Where in the editor's text an error item points: { line, column }, or null. A path names a value of the definition
 * (a leading "definition." is the preview's wrapper); without a path, or for the definition as a whole, the line and
 * column are the text's own (the browser's JSON parse error).
 */
export function locate(text, item) {
  const path = (item.path ?? item.field ?? '').replace(/^\$\.?/, '').replace(/^definition\.?/, '');
  if (path === '') return item.line ? { line: item.line, column: item.column || 1 } : null;
  const offset = valueOffset(text, path);
  if (offset < 0) return null;
  const at = item.line && text[offset] === '"' ? insideString(text, offset, item.line, item.column || 1) : offset;
  return lineColumnAt(text, at);
}
