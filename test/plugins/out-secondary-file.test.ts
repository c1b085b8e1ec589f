import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { addExtension, unpackMultiple } from 'msgpackr';
import { EventBatch } from '../../src/event/event-batch.ts';
import { startEngine, tempDir, type RunningEngine } from '../helpers/harness.ts';
import { failedWrites } from '../helpers/plugins/out_failing.ts';

// Fluentd's EventTime: msgpack ext type 0, 32-bit big-endian seconds then nanoseconds (src/buffer/standard-format.ts).
addExtension({ type: 0, unpack: (data: Buffer) => ({ sec: data.readUInt32BE(0), nsec: data.readUInt32BE(4) }) });

const { dir: root, cleanup } = tempDir('logferry-secondary-file-');
after(cleanup);

type Rec = Record<string, unknown>;
interface Event {
  sec: number;
  nsec: number;
  record: Rec;
}

const running: RunningEngine[] = [];
after(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function engineFor(config: string): Promise<RunningEngine> {
  const r = await startEngine(config);
  running.push(r);
  return r;
}

/** Emits one batch and flushes every buffer, so each call makes (at most) one chunk per chunk-key combination. */
async function emitAndFlush(r: RunningEngine, tag: string, events: Event[]): Promise<void> {
  const batch = new EventBatch();
  for (const e of events) batch.add(e.sec, e.nsec, e.record);
  await r.engine.emit(undefined, tag, batch);
  await r.engine.flushAll();
}

/** A chunk dump decoded as Fluentd's standard format: a msgpack stream of [EventTime, record]. */
function decode(bytes: Buffer): Event[] {
  return (unpackMultiple(bytes) as Array<[{ sec: number; nsec: number }, Rec]>).map(([time, record]) => ({ ...time, record }));
}

const ev = (sec: number, nsec: number, record: Rec): Event => ({ sec, nsec, record });

/** A primary that fails every write unrecoverably, with `secondary` as the body of its <secondary>. */
function failingPrimary(id: string, pattern: string, buffer: string, secondary: string): string {
  return `
<match ${pattern}>
  @type failing
  @id ${id}
  <buffer ${buffer}>
    flush_mode interval
    flush_interval 1h
    timekey_use_utc true
  </buffer>
  <secondary>
    @type secondary_file
${secondary}
  </secondary>
</match>`;
}

describe('out_secondary_file behind a failing primary', () => {
  it('dumps each chunk raw to dump.bin.N, the first index not taken', async () => {
    const out = path.join(root, 'seq');
    mkdirSync(out);
    writeFileSync(path.join(out, 'dump.bin.1'), 'taken');
    const r = await engineFor(failingPrimary('seq', 'seq.**', '', `    directory ${out}`));
    const batches = [
      [ev(1700000000, 5, { n: 1, msg: 'first' }), ev(1700000001, 0, { n: 2, nested: { a: [1, 2] } })],
      [ev(1700000002, 999999999, { n: 3 })],
      [ev(1700000003, 7, { n: 4, s: 'ünïcode' })],
    ];
    for (const b of batches) await emitAndFlush(r, 'seq.app', b);
    assert.equal(failedWrites.get('seq'), 3, 'the primary tried every chunk first');
    assert.deepEqual(readdirSync(out).sort(), ['dump.bin.0', 'dump.bin.1', 'dump.bin.2', 'dump.bin.3']);
    assert.equal(readFileSync(path.join(out, 'dump.bin.1'), 'utf8'), 'taken', 'an existing file is never written');
    assert.deepEqual(decode(readFileSync(path.join(out, 'dump.bin.0'))), batches[0]);
    assert.deepEqual(decode(readFileSync(path.join(out, 'dump.bin.2'))), batches[1]);
    assert.deepEqual(decode(readFileSync(path.join(out, 'dump.bin.3'))), batches[2]);
  });

  it('append true with compress gzip: every chunk a gzip member of the one basename.gz', async () => {
    const out = path.join(root, 'append', 'deeper');
    const r = await engineFor(failingPrimary('app', 'app.**', '', `    directory ${out}/\n    basename out.bin\n    append true\n    compress gzip`));
    const batches = [
      [ev(1700000000, 1, { n: 1 }), ev(1700000000, 2, { n: 2 })],
      [ev(1700000010, 3, { n: 3 })],
      [ev(1700000020, 4, { n: 4 })],
    ];
    for (const b of batches) await emitAndFlush(r, 'app.x', b);
    assert.deepEqual(readdirSync(out), ['out.bin.gz']);
    const file = readFileSync(path.join(out, 'out.bin.gz'));
    // One member per chunk (Fluentd's GzipWriter per write): three gzip headers.
    let members = 0;
    for (let i = 0; i + 2 < file.length; i++) if (file[i] === 0x1f && file[i + 1] === 0x8b && file[i + 2] === 0x08) members++;
    assert.equal(members, 3);
    assert.deepEqual(decode(gunzipSync(file)), batches.flat());
  });

  it('resolves strftime, ${tag[N]}, ${tag}, ${key} and ${chunk_id} with the primary\'s chunk keys', async () => {
    const out = path.join(root, 'ph');
    const r = await engineFor(failingPrimary('ph', 'ph.**', 'tag,time,env', `    directory ${out}/%Y%m%d%H/\${tag[1]}\n    basename \${env}_\${tag}_\${chunk_id}\n    compress gzip`)
      .replace('flush_mode interval', 'timekey 3600\n    flush_mode interval'));
    const prod = [ev(1700000000, 1, { env: 'prod', n: 1 }), ev(1700000100, 2, { env: 'prod', n: 3 })];
    const dev = [ev(1700000050, 3, { env: 'dev', n: 2 })];
    await emitAndFlush(r, 'ph.web', [prod[0]!, dev[0]!, prod[1]!]);
    // 1700000000 is 2023-11-14 22:13:20 UTC; the hour's timekey names the directory.
    const dirOut = path.join(out, '2023111422', 'web');
    const files = readdirSync(dirOut).sort();
    assert.equal(files.length, 2, files.join(','));
    const [devFile, prodFile] = files as [string, string];
    const idOf = (name: string, env: string) => {
      const m = new RegExp(`^${env}_ph\\.web_([0-9a-f]{32})\\.0\\.gz$`).exec(name);
      assert.ok(m, `${name} is ${env}_ph.web_<chunk_id>.0.gz`);
      return m[1]!;
    };
    assert.notEqual(idOf(devFile, 'dev'), idOf(prodFile, 'prod'));
    assert.deepEqual(decode(gunzipSync(readFileSync(path.join(dirOut, devFile)))), dev);
    assert.deepEqual(decode(gunzipSync(readFileSync(path.join(dirOut, prodFile)))), prod);
  });
});

describe('out_secondary_file config errors', () => {
  const dir = path.join(root, 'conf');

  it('refuses to run outside <secondary>', async () => {
    await assert.rejects(
      startEngine(`<match x>\n  @type secondary_file\n  directory ${dir}\n</match>`),
      /This plugin can only be used in the <secondary> section/,
    );
  });

  it('refuses a basename with /', async () => {
    await assert.rejects(
      startEngine(failingPrimary('slash', 'x', '', `    directory ${dir}\n    basename sub/dump.bin`)),
      /parameter 'basename': basename should not include `\/`/,
    );
  });

  const incompatible: Array<[buffer: string, secondary: string, message: RegExp]> = [
    ['', 'basename ${tag}', /<secondary> parameter 'basename': out_secondary_file: basename or directory has an incompatible placeholder tag, remove tag placeholder/],
    ['', 'basename a_${tag[0]}', /incompatible placeholder tag\[0\], remove tag placeholder/],
    ['tag', 'basename ${env}_${tag}', /incompatible placeholder env, remove variable placeholder/],
    ['tag,env', 'basename ${env}_${host}', /incompatible placeholder host, remove variable placeholder/],
    ['tag', `basename \${tag}\n    directory ${dir}/%Y%m%d`, /parameter 'directory': .*remove time formats, like `%Y%m%d`/],
  ];
  for (const [buffer, secondary, message] of incompatible) {
    it(`refuses ${secondary.includes('%') ? 'a time format' : secondary} when the primary's <buffer ${buffer}> lacks its chunk key`, async () => {
      const body = secondary.includes('directory') ? `    ${secondary}` : `    directory ${dir}\n    ${secondary}`;
      await assert.rejects(startEngine(failingPrimary('bad', 'x', buffer, body)), message);
    });
  }

  it('accepts the same placeholders once the primary has their chunk keys', async () => {
    const r = await engineFor(failingPrimary('good', 'x', 'tag,time,env', `    directory ${dir}/%Y\n    basename \${env}_\${tag[0]}_\${chunk_id}`)
      .replace('flush_mode interval', 'timekey 60\n    flush_mode interval'));
    assert.deepEqual(r.engine.route('x'), { filters: [], match: 'good' });
  });

  it('refuses a directory that cannot be created', async () => {
    const blocker = path.join(root, 'a-file');
    writeFileSync(blocker, '');
    await assert.rejects(
      startEngine(failingPrimary('ro', 'x', '', `    directory ${blocker}/sub`)),
      new RegExp(`out_secondary_file: \`${blocker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/sub\` should be writable`),
    );
  });
});
