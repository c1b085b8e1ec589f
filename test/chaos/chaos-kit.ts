/**
 * What the chaos scenarios share: a writer of numbered nginx lines that rotates its file as logrotate does, the
 * reference pipeline's config (in_tail -> nginx -> s3 through a file buffer), and the count of what reached the
 * bucket. `CHAOS_FULL=1` (npm run test:chaos) runs each scenario at its full size; npm test runs a short one.
 */
import { closeSync, copyFileSync, fstatSync, openSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { lineRanges } from '../helpers/harness.ts';
import type { LocalS3 } from '../helpers/s3rver.ts';

export const FULL = process.env.CHAOS_FULL === '1';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SEQ = /"path":"\/seq\/(\d+)"/g;

function nginxTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Appends numbered nginx lines at a steady rate; rotates by rename + create, or by copytruncate. */
export class NginxWriter {
  written = 0;
  rotations = 0;
  private fd: number;
  private t0 = 0;
  private paced = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly file: string, private readonly rate: number) {
    this.fd = openSync(file, 'a');
  }

  start(): void {
    this.t0 = Date.now();
    this.paced = 0;
    this.timer = setInterval(() => this.catchUp(), 10);
  }

  append(count: number): void {
    const time = nginxTime(new Date());
    let text = '';
    for (let i = 0; i < count; i++) {
      text += `10.0.0.${this.written % 250} - - [${time}] "GET /seq/${String(this.written).padStart(9, '0')} HTTP/1.1" 200 612 "-" "chaos/1.0"\n`;
      this.written++;
    }
    if (text) writeSync(this.fd, text);
  }

  /** logrotate's rename + create; the application writes a few lines more to the renamed file before it reopens. */
  rotate(): void {
    this.catchUp();
    this.rotations++;
    renameSync(this.file, `${this.file}.${this.rotations}`);
    this.append(20);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
  }

  /** logrotate's copytruncate: the file is copied aside and truncated in place; the application keeps its handle. */
  copytruncate(): void {
    this.catchUp();
    this.rotations++;
    copyFileSync(this.file, `${this.file}.${this.rotations}`);
    truncateSync(this.file, 0);
  }

  get inode(): number {
    return fstatSync(this.fd).ino;
  }

  stop(): void {
    this.catchUp();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stop();
    closeSync(this.fd);
  }

  private catchUp(): void {
    if (this.timer === null) return;
    const due = Math.floor(((Date.now() - this.t0) * this.rate) / 1000);
    this.append(due - this.paced);
    this.paced = due;
  }
}

export function pipelineConfig(o: { log: string; pos: string; buffer: string; root: string; endpoint: string; bucket: string; extraBuffer?: string }): string {
  return `
<system>
  root_dir ${o.root}
</system>
<source>
  @type tail
  @id nginx_access
  path ${o.log}
  pos_file ${o.pos}
  tag nginx
  read_from_head true
  <parse>
    @type nginx
  </parse>
</source>
<match nginx>
  @type s3
  @id s3_nginx
  s3_bucket ${o.bucket}
  s3_endpoint ${o.endpoint}
  aws_key_id S3RVER
  aws_sec_key S3RVER
  path nginx/
  <format>
    @type json
  </format>
  <buffer time>
    @type file
    path ${o.buffer}
    timekey 3600
    timekey_wait 0
    flush_mode interval
    flush_interval 1s
    retry_wait 0.5
    retry_max_interval 2s
    retry_forever true
    ${o.extraBuffer ?? ''}
  </buffer>
</match>
`;
}

export interface Delivery {
  objects: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Objects with the same records as another object: a chunk uploaded twice under two keys. */
  duplicateObjects: number;
  lostRanges: string;
}

/** Reads every object under `prefix` and counts each numbered line against the `written` ones. */
export async function countDelivery(s3: LocalS3, prefix: string, written: number): Promise<Delivery> {
  const copies = new Uint16Array(written);
  const bodies = new Set<string>();
  let duplicateObjects = 0;
  let delivered = 0;
  const objects = await s3.listObjects(prefix);
  for (const { key } of objects) {
    let text = '';
    for (let attempt = 0; ; attempt++) {
      try {
        text = (await s3.getObject(key)).text;
        break;
      } catch (err) {
        if (attempt >= 20) throw err; // s3rver lists an object before its body is complete
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (bodies.has(text)) duplicateObjects++;
    bodies.add(text);
    for (const m of text.matchAll(SEQ)) {
      const n = Number(m[1]);
      if (n < written) {
        copies[n]!++;
        delivered++;
      }
    }
  }
  let lost = 0;
  let duplicated = 0;
  const missing: number[] = [];
  for (let i = 0; i < written; i++) {
    if (copies[i] === 0) {
      lost++;
      missing.push(i);
    }
    duplicated += Math.max(0, copies[i]! - 1);
  }
  return { objects: objects.length, delivered, lost, duplicated, duplicateObjects, lostRanges: lineRanges(missing) };
}
