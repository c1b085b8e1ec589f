/**
 * Ruby's URI.decode_www_form into bytes: `+` is a space, %XX a byte. Values stay binary, because a `msgpack=`
 * field carries msgpack bytes (decoded as UTF-8 they would be damaged).
 */
export function decodeForm(query: string | Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const text = typeof query === 'string' ? query : query.toString('latin1');
  if (text === '') return out;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq)).toString('utf8');
    out.set(key, decodeComponent(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return out;
}

function decodeComponent(text: string): Buffer {
  const bytes = Buffer.from(text.replace(/\+/g, ' '), 'latin1');
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x25 && i + 2 < bytes.length ? bytes.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[n++] = bytes[i]!;
    }
  }
  return out.subarray(0, n);
}
