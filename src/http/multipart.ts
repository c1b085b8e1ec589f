/** The fields of a multipart/form-data body (WEBrick's parse_form_data), values as bytes. */
export function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const out = new Map<string, Buffer>();
  if (!m) return out;
  const delimiter = Buffer.from(`--${m[1] ?? m[2]!.trim()}`);
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // A part: CRLF, headers, a blank line, the value, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const name = /\bname="([^"]*)"/i.exec(part.subarray(0, split).toString('utf8'));
      if (name) out.set(name[1]!, Buffer.from(part.subarray(split + 4)));
    }
    pos = next;
  }
  return out;
}
