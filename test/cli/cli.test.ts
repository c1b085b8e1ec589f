import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { BIN, REPO_ROOT, runCli, tempDir, waitUntil } from '../helpers/harness.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

function writeConf(name: string, text: string): string {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, text);
  return file;
}

test('--help prints the usage and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: logferry/);
  assert.match(r.stdout, /--dry-run/);
});

test('--dry-run passes for every config in conf/', async () => {
  const confDir = path.join(REPO_ROOT, 'conf');
  const files = readdirSync(confDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.conf') && !f.includes('config.d'))
    .map((f) => path.join(confDir, f));
  assert.ok(files.length >= 2, 'conf/ holds ready configs');
  for (const file of files) {
    const r = await runCli(['--dry-run', '-c', file], { env: { AWS_S3_BUCKET: 'bucket', AWS_REGION: 'us-east-1' } });
    assert.equal(r.code, 0, `${file}: ${r.stderr}`);
  }
});

const broken: Array<[name: string, text: string, line: number, mention: RegExp]> = [
  ['unknown-type.conf', '<source>\n  @type sample\n  tag t\n</source>\n<match **>\n  @type no_such_output\n</match>\n', 6, /no_such_output/],
  ['bad-value.conf', '<source>\n  @type sample\n  tag t\n  rate lots\n</source>\n<match **>\n  @type null\n</match>\n', 4, /rate/],
  ['unmatched.conf', '<source>\n  @type sample\n</match>\n', 3, /end tag|unmatched/i],
  ['ruby.conf', '<source>\n  @type sample\n  tag "#{File.read(\'/etc/passwd\')}"\n</source>\n', 3, /File\.read/],
  ['label.conf', '<source>\n  @type sample\n  tag t\n  @label @NOWHERE\n</source>\n<match **>\n  @type null\n</match>\n', 4, /@NOWHERE/],
  ['size-metrics.conf', '<system>\n  enable_size_metrics true\n</system>\n<source>\n  @type sample\n  tag t\n</source>\n', 2, /'enable_size_metrics'.*not supported/],
  ['dup-id.conf', '<match a>\n  @type null\n  @id same\n</match>\n<match b>\n  @type null\n  @id same\n</match>\n', 7, /Duplicated plugin id/],
];

for (const [name, text, line, mention] of broken) {
  test(`--dry-run fails with file:line for ${name}`, async () => {
    const file = writeConf(name, text);
    const r = await runCli(['--dry-run', '-c', file]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`${file}:${line}`), `expected ${file}:${line} in: ${r.stderr}`);
    assert.match(r.stderr, mention);
  });
}

test('--dry-run reports every error of a config at once', async () => {
  const file = writeConf('two-errors.conf', '<match a>\n  @type nope1\n</match>\n<match b>\n  @type nope2\n</match>\n');
  const r = await runCli(['--dry-run', '-c', file]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /:2:.*nope1/);
  assert.match(r.stderr, /:5:.*nope2/);
});

test('config --json prints the element tree after includes and interpolation, secrets masked', async () => {
  writeConf('inc-out.conf', '<match **>\n  @type null\n</match>\n');
  const file = writeConf('main.conf', '<source>\n  @type sample\n  tag "#{ENV[\'LF_TAG\']}"\n  shared_key s3cr3t\n</source>\n@include inc-*.conf\n');
  const r = await runCli(['config', '-c', file, '--json'], { env: { LF_TAG: 'from.env' } });
  assert.equal(r.code, 0, r.stderr);
  const tree = JSON.parse(r.stdout) as { name: string; elements: Array<{ name: string; arg: string; attrs: Record<string, string> }> };
  assert.equal(tree.name, 'ROOT');
  assert.deepEqual(tree.elements.map((e) => e.name), ['source', 'match']);
  assert.equal(tree.elements[0]?.attrs.tag, 'from.env');
  assert.notEqual(tree.elements[0]?.attrs.shared_key, 's3cr3t');
  assert.equal(tree.elements[1]?.arg, '**');
  const text = await runCli(['config', '-c', file], { env: { LF_TAG: 'from.env' } });
  assert.match(text.stdout, /<source>/);
  assert.doesNotMatch(text.stdout, /s3cr3t/);
});

test('route prints which filters and match a tag reaches', async () => {
  const file = writeConf('route.conf', `
<filter web.**>
  @type grep
  @id only_web
  <regexp>
    key code
    pattern /^5/
  </regexp>
</filter>
<match web.access>
  @type null
  @id web_out
</match>
<match **>
  @type null
</match>
`);
  const r = await runCli(['route', '-c', file, 'web.access']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { filters: ['only_web'], match: 'web_out' });
  const other = await runCli(['route', '-c', file, 'db']);
  assert.equal(JSON.parse(other.stdout).filters.length, 0);
  assert.match(JSON.parse(other.stdout).match, /^match\[/);
});

test('a running agent: SIGUSR1 flushes, SIGHUP with a broken config keeps it running, SIGTERM stops it cleanly', async () => {
  const out = path.join(tmp.dir, 'signals-out');
  const good = `
<source>
  @type sample
  tag sig.test
  sample {"message":"hello"}
  rate 20
</source>
<match sig.**>
  @type file
  path ${out}/events
  <buffer>
    @type memory
    flush_mode lazy
  </buffer>
</match>`;
  const file = writeConf('signals.conf', good);
  const { child, stderr, exited } = await startAgent(file);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const filesBefore = safeList(out);
    assert.equal(filesBefore.length, 0, 'lazy mode without a time key holds events until a flush');
    child.kill('SIGUSR1');
    await waitUntil(() => safeList(out).length > 0, 10_000, 'SIGUSR1 to flush the buffer into a file');

    writeFileSync(file, '<source>\n  @type no_such_input\n</source>\n');
    child.kill('SIGHUP');
    await waitUntil(() => stderr().includes('keeping the running one'), 10_000, 'the reload to be refused');
    assert.equal(child.exitCode, null, 'still running after an invalid reload');

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr());
    assert.match(stderr(), /logferry stopped/);
  } finally {
    child.kill('SIGKILL');
  }
});

/** `logferry -c FILE` as a child process, once it logged that it started; its stderr so far, and its exit code. */
async function startAgent(file: string): Promise<{ child: ChildProcess; stderr: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    await waitUntil(() => stderr.includes('logferry started'), 15_000, 'the agent to start');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, stderr: () => stderr, exited };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

test('<system> process_name sets the process title; <log> time_format is the text log\'s time layout', async () => {
  const file = writeConf('system-log.conf', `
<system>
  process_name logferry-title-test
  <log>
    time_format %Y/%m/%dT%H:%M:%S.%L
  </log>
</system>
<source>
  @type sample
  tag t
</source>
<match **>
  @type null
</match>`);
  const { child, stderr, exited } = await startAgent(file);
  try {
    assert.equal(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').replace(/\0+$/, ''), 'logferry-title-test');
    const started = stderr().split('\n').find((l) => l.includes('logferry started'))!;
    assert.match(started, /^\d{4}\/\d{2}\/\d{2}T\d{2}:\d{2}:\d{2}\.\d{3} \[info\]: /);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

test('at debug the text log prints an error\'s stack frames after its line; a repeated stack is one "suppressed same stacktrace" line', async () => {
  const script = `
    import { createLogger } from './src/log/logger.ts';
    const err = new Error('boom');
    for (const suppress of [true, false]) {
      const log = createLogger({ level: 'debug', format: 'text', suppressRepeatedStacktrace: suppress });
      log.warn({ err }, 'failed');
      log.warn({ err }, 'failed');
      await new Promise((r) => setTimeout(r, 50));
    }
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  // L: the error's line, F: a stack frame, S: "suppressed same stacktrace".
  const kinds = stderr.trimEnd().split('\n').map((l) => (!l.startsWith('  ') ? 'L' : l.endsWith('suppressed same stacktrace') ? 'S' : 'F'));
  const frameCount = kinds.indexOf('L', 1) - 1;
  assert.ok(frameCount >= 1, stderr);
  const withFrames = ['L', ...Array<string>(frameCount).fill('F')];
  assert.deepEqual(kinds, [...withFrames, 'L', 'S', ...withFrames, ...withFrames], stderr);
  assert.match(stderr.split('\n')[1]!, /^ {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \[warn\]: at /);
});

test('at info and above an error is its class and message, without stack frames, in text and JSON logs', async () => {
  const script = `
    import { createLogger } from './src/log/logger.ts';
    for (const format of ['text', 'json']) createLogger({ level: 'info', format }).warn({ err: new Error('boom') }, 'failed');
    await new Promise((r) => setTimeout(r, 50));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  const [text, json, ...rest] = stderr.trimEnd().split('\n');
  assert.deepEqual(rest, [], stderr);
  assert.match(text!, /\[warn\]: failed error_class=Error error="boom"$/);
  const entry = JSON.parse(json!) as { err: { message: string; stack?: string } };
  assert.equal(entry.err.message, 'boom');
  assert.equal(entry.err.stack, undefined);
});

test('a mistyped command or option gets "did you mean"; an unknown word lists the commands', async () => {
  const command = await runCli(['confg', '-c', 'x.conf']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /Did you mean 'logferry config'\?/);
  const option = await runCli(['--dryrun', '-c', 'x.conf']);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /Unknown option '--dryrun'\. Did you mean --dry-run\?/);
  const unknown = await runCli(['frobnicate']);
  assert.match(unknown.stderr, /The commands are config, route, parse, format\./);
  assert.doesNotMatch(unknown.stderr, /Did you mean/);
});

test('--version names the Node version running it and the Node versions supported', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^logferry \\d+\\.\\d+\\.\\d+ on Node ${process.version.replace(/\./g, '\\.')}\\n`));
  assert.match(r.stdout, /Supports Node 20 and later\..*January 2027 need Node 22/);
});
