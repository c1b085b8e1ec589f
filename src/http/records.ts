import { EventBatch, type EventRecord, type Parser } from '../plugin-api/index.ts';
import { unpackMultiple } from '../forward/codec.ts';

/** A request that cannot become events: answered 400 with this message, nothing emitted. */
export class BadRequest extends Error {}

const isMap = (v: unknown): v is EventRecord => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * in_http's parse_params_default: the records of a `msgpack`, `json` or `ndjson` parameter. Values that are no
 * map (a JSON array's numbers, a msgpack string) are skipped, as Fluentd's "incoming event is invalid".
 */
export function defaultRecords(params: Map<string, Buffer>, json: Parser): { records: EventRecord[]; skipped: number } {
  const records: EventRecord[] = [];
  let skipped = 0;
  const msgpack = params.get('msgpack');
  const js = params.get('json');
  const ndjson = params.get('ndjson');
  if (msgpack !== undefined) {
    let objects: unknown[];
    try {
      objects = unpackMultiple(msgpack);
    } catch (err) {
      throw new BadRequest(`invalid msgpack: ${(err as Error).message}`);
    }
    for (const obj of objects) {
      for (const v of Array.isArray(obj) ? obj : [obj]) {
        if (isMap(v)) records.push(v);
        else skipped++;
      }
    }
  } else if (js !== undefined) {
    skipped += parseJson(json, js.toString('utf8'), records);
  } else if (ndjson !== undefined) {
    for (const line of ndjson.toString('utf8').split(/\r?\n/)) skipped += parseJson(json, line, records);
  } else {
    throw new BadRequest("'json', 'ndjson' or 'msgpack' parameter is required");
  }
  return { records, skipped };
}

function parseJson(json: Parser, text: string, records: EventRecord[]): number {
  const batch = new EventBatch();
  let ok: boolean;
  try {
    ok = json.parse(text, batch);
  } catch (err) {
    throw new BadRequest((err as Error).message);
  }
  if (!ok) throw new BadRequest(`invalid JSON: ${JSON.stringify(text.slice(0, 100))}`);
  let skipped = 0;
  for (const r of batch.records) {
    if (isMap(r)) records.push(r);
    else skipped++;
  }
  return skipped;
}
