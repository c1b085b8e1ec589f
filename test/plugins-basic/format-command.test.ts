import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.resolve(import.meta.dirname, '../..');

function runFormat(args: string[], input: string, tz = 'UTC') {
  const script = `import { runFormatCommand } from './src/cli/format-command.ts';
    process.exitCode = await runFormatCommand(process.argv.slice(1), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], {
    cwd: REPO, input, encoding: 'utf8', env: { ...process.env, TZ: tz },
  });
}

describe('logferry format', () => {
  it('writes the formatter\'s exact bytes for each {"tag","time","record"} line, local time per TZ', () => {
    const input = [
      '{"tag":"app","time":1469592510,"record":{"message":"awesome"}}',
      '{"tag":"app","time":"2016-07-27T04:08:31.5Z","record":{"k":"v"}}',
      '{"tag":"app","time":1469592512.25,"record":{}}',
    ].join('\n');
    const res = runFormat(['--type', 'out_file'], input, 'UTC+07');
    assert.equal(res.stderr, '');
    assert.equal(res.status, 0);
    assert.equal(res.stdout,
      '2016-07-26T21:08:30-07:00\tapp\t{"message":"awesome"}\n' +
      '2016-07-26T21:08:31-07:00\tapp\t{"k":"v"}\n' +
      '2016-07-26T21:08:32-07:00\tapp\t{}\n');
  });
  it('passes --param to the formatter and reports bad lines with their number', () => {
    const res = runFormat(['--type', 'out_file', '--param', 'time_type=float', '--param', 'output_tag=false'],
      '{"tag":"a","time":1.5,"record":{"x":1}}\nnot json\n{"tag":"a","time":2,"record":[]}\n');
    assert.equal(res.stdout, '1.500000000\t{"x":1}\n');
    assert.match(res.stderr, /line 2: /);
    assert.match(res.stderr, /line 3: "record" must be a JSON object/);
    assert.equal(res.status, 1);
  });
  it('fails with usage errors', () => {
    assert.equal(runFormat([], '').status, 2);
    const bad = runFormat(['--type', 'nonesuch'], '');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Unknown formatter plugin 'nonesuch'/);
  });
});
