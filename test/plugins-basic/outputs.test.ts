import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Chunk, OutputContext, OutputDefinition } from '../../src/plugin-api/types.ts';
import { readSection } from '../../src/plugin-api/read-section.ts';
import outFile, { generatePathTemplate } from '../../plugins/out_file.ts';
import { element, testContext, testLogger } from '../formatter/plugin-builder.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'logferry-outfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A chunk as the buffer hands it to write: the bytes `format` produced, with its metadata. */
function chunkOf(body: string, timekey: number, tag: string | null = null): Chunk {
  const data = Buffer.from(body);
  return {
    uniqueId: Buffer.alloc(16, 1), chunkId: '01'.repeat(16), metadata: { timekey, tag, variables: null },
    bytesize: data.length, recordCount: body.split('\n').length - 1, createdAt: timekey,
    read: async () => data, open: () => Readable.from([data]),
    getMemo: () => undefined, setMemo: async () => {},
  };
}

const strftimeUtc = (template: string, sec: number) => {
  const iso = new Date(sec * 1000).toISOString();
  return template.replaceAll('%Y', iso.slice(0, 4)).replaceAll('%m', iso.slice(5, 7)).replaceAll('%d', iso.slice(8, 10)).replaceAll('%H', iso.slice(11, 13));
};

async function buildFileOutput(attrs: Record<string, string>, chunkKeys = ['time'], timekey: number | null = 86400) {
  const { log, lines } = testLogger();
  const conf = element('match', { '@type': 'file', ...attrs });
  const ctx: OutputContext = {
    ...testContext(log),
    buffer: { chunkKeys, timekey, timekeyUseUtc: true, timekeyZone: '+0000', flushThreadCount: 1 },
    // Stands in for the buffer engine's extract_placeholders: UTC strftime of the timekey, then ${tag}.
    extractPlaceholders: (template, chunk) => strftimeUtc(template, chunk.metadata.timekey ?? 0).replaceAll('${tag}', chunk.metadata.tag ?? ''),
    createOutput: () => Promise.reject(new Error('unused')),
    emitToLabel: () => Promise.reject(new Error('unused')),
  };
  const def = outFile as OutputDefinition;
  def.prepare?.(conf, ctx.system);
  const plugin = await def.create(ctx, readSection(def.params, conf, { log }), conf);
  return { plugin, lines };
}

describe('out_file', () => {
  it('declares Fluentd\'s buffer defaults: time chunks of one day in a file buffer', () => {
    assert.deepEqual(outFile.buffer, { chunkKeys: ['time'], defaults: { '@type': 'file', timekey: '86400' } });
  });
  it('path templates as generate_path_template builds them', () => {
    const opts = { pathSuffix: '.log' };
    assert.equal(generatePathTemplate('/var/log/app', 86400, false, false, opts), '/var/log/app.%Y%m%d_**.log');
    assert.equal(generatePathTemplate('/var/log/app', 3600, true, true, opts), '/var/log/app.%Y%m%d%H.log.gz');
    assert.equal(generatePathTemplate('/var/log/app.*.txt', 60, false, false, opts), '/var/log/app.%Y%m%d%H%M_**.txt');
    assert.equal(generatePathTemplate('/var/log/%Y/%m/%d/app', 86400, false, false, opts), '/var/log/%Y/%m/%d/app_**.log');
    assert.equal(generatePathTemplate('/var/log/app', null, false, false, { pathSuffix: '' }), '/var/log/app_**');
    assert.equal(generatePathTemplate('/x/app', 86400, false, false, { pathSuffix: '.log', timeSliceFormat: '%Y%m' }), '/x/app.%Y%m_**.log');
    assert.throws(() => generatePathTemplate('/var/log/%Y/app', 86400, false, false, opts), /insufficient timestamp placeholders/);
  });
  it('formats out_file lines and writes each chunk to path.%Y%m%d_N.log, next index when taken', async () => {
    const { plugin, lines } = await buildFileOutput({ path: path.join(dir, 'a', 'access') });
    assert.ok(lines.some((l) => /default timekey interval \(1d\)/.test(l.msg)));
    const line = plugin.format!('tag', 1294017255, 0, { a: 1 }) as string;
    assert.match(line, /^2011-01-0[23]T\d\d:14:15[+-]\d\d:\d\d\ttag\t\{"a":1\}\n$/);
    await plugin.write!(chunkOf('one\n', 1293926400));
    await plugin.write!(chunkOf('two\n', 1293926400));
    assert.equal(readFileSync(path.join(dir, 'a', 'access.20110102_0.log'), 'utf8'), 'one\n');
    assert.equal(readFileSync(path.join(dir, 'a', 'access.20110102_1.log'), 'utf8'), 'two\n');
  });
  it('append writes one file per time slice; compress gzip appends gzip members; ${tag} with a tag chunk key', async () => {
    const app = (await buildFileOutput({ path: path.join(dir, 'b', '${tag}', 'x'), append: 'true', compress: 'gzip' }, ['time', 'tag'])).plugin;
    await app.write!(chunkOf('1\n', 1293926400, 'web'));
    await app.write!(chunkOf('2\n', 1293926400, 'web'));
    const file = path.join(dir, 'b', 'web', 'x.20110102.log.gz');
    assert.equal(gunzipSync(readFileSync(file)).toString(), '1\n2\n');
  });
  it('injects, and refuses what it cannot do', async () => {
    const { plugin } = await buildFileOutput({ path: path.join(dir, 'c'), include_tag_key: 'true' });
    assert.match(plugin.format!('app', 0, 0, { a: 1 }) as string, /\tapp\t\{"a":1,"tag":"app"\}\n$/);
    await assert.rejects(buildFileOutput({ path: path.join(dir, 'd'), symlink_path: '/tmp/x' }), /symlink_path.*not supported/);
    await assert.rejects(buildFileOutput({ path: path.join(dir, 'd'), compress: 'zstd' }), /zstd is not supported/);
    await assert.rejects(buildFileOutput({ path: path.join(dir, '${tag}') }), /chunk key 'tag' is not configured/);
    await assert.rejects(buildFileOutput({ path: path.join(dir, 'e.*') }, [], null), /path including '\*'/);
    writeFileSync(path.join(dir, 'ro'), '');
    await assert.rejects(buildFileOutput({ path: path.join(dir, 'ro', 'sub', 'f') }), /is not writable/);
    assert.equal(existsSync(path.join(dir, 'd')), false);
  });
});

describe('filter_stdout in a child process', () => {
  it('prints each event as out_stdout does and passes the batch on unchanged (<inject> only in the printed line)', () => {
    const script = `
      import { element, testContext, testLogger } from './test/formatter/plugin-builder.ts';
      import { readSection } from './src/plugin-api/read-section.ts';
      import { EventBatch } from './src/event/event-batch.ts';
      const { log } = testLogger();
      const def = (await import('./plugins/filter_stdout.ts')).default;
      const conf = element('filter', {}, [element('inject', { tag_key: 't' })]);
      const filter = await def.create({ ...testContext(log) }, readSection(def.params, conf, { log }), conf);
      const b = new EventBatch(); b.add(1469592510, 5, { a: 1 }); b.add(1469592511, 0, { b: '/' });
      const passed = filter.filter('app.x', b);
      console.log('passed:', passed === b, JSON.stringify(passed.records), passed.secs.join(','));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO, env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8',
    });
    assert.equal(out,
      '2016-07-27 04:08:30.000000005 +0000 app.x: {"a":1,"t":"app.x"}\n' +
      '2016-07-27 04:08:31.000000000 +0000 app.x: {"b":"/","t":"app.x"}\n' +
      'passed: true [{"a":1},{"b":"/"}] 1469592510,1469592511\n');
  });
});

describe('out_stdout and out_null in a child process', () => {
  it('out_stdout prints "<local time> <tag>: <json>" per event under TZ; out_null drops, never_flush fails', () => {
    const script = `
      import { element, testContext, testLogger } from './test/formatter/plugin-builder.ts';
      import { readSection } from './src/plugin-api/read-section.ts';
      import { EventBatch } from './src/event/event-batch.ts';
      const { log } = testLogger();
      const build = async (file, attrs, children = []) => {
        const def = (await import(file)).default;
        const conf = element('match', attrs, children);
        const ctx = { ...testContext(log), buffer: undefined };
        return def.create(ctx, readSection(def.params, conf, { log }), conf);
      };
      const b = new EventBatch(); b.add(1469592510, 5, { a: 1 }); b.add(1469592511, 0, { b: '/' });
      (await build('./plugins/out_stdout.ts', {})).process('app.x', b);
      (await build('./plugins/out_stdout.ts', {}, [element('format', { '@type': 'json' }), element('inject', { tag_key: 't' })])).process('j', b);
      await (await build('./plugins/out_null.ts', {})).process('n', b);
      try { await (await build('./plugins/out_null.ts', { never_flush: 'true' })).process('n', b); } catch (e) { console.log('null:', e.message); }
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO, env: { ...process.env, TZ: 'America/Los_Angeles' }, encoding: 'utf8',
    });
    assert.equal(out,
      '2016-07-26 21:08:30.000000005 -0700 app.x: {"a":1}\n' +
      '2016-07-26 21:08:31.000000000 -0700 app.x: {"b":"/"}\n' +
      '{"a":1,"t":"j"}\n{"b":"/","t":"j"}\n' +
      'null: failed to flush\n');
  });
});
