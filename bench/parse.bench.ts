/** Parse-only microbenchmark: lines/s on one core for nginx, syslog, json and regexp, through the real plugins. */
import { parseArgs } from 'node:util';
import { EventBatch } from '../src/event/event-batch.ts';
import { buildParser, sectionFromParams } from '../src/engine/standalone.ts';
import { createLogger } from '../src/log/logger.ts';
import { w1Lines } from './w1-generator.ts';
import { machineInfo } from './measure-process.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean' } } });
const N = values.quick ? 200_000 : 1_000_000;
const log = createLogger({ level: 'warn', format: 'text' });
const start = Math.floor(Date.now() / 1000) - 7200;
const nginxLines = [...w1Lines({ lines: N, startSec: start })];
const syslogLines = nginxLines.map((_, i) => `Apr ${String(1 + (i % 28)).padStart(2, ' ')} 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} web sshd[${1000 + (i % 5000)}]: Failed password for invalid user admin from 198.51.100.${i % 255} port ${40000 + (i % 20000)} ssh2`);
const jsonLines = nginxLines.map((l, i) => JSON.stringify({ time: start + Math.floor(i / 100), message: l, code: 200 + (i % 5), ok: true }));

const cases: Array<{ parser: string; params: Record<string, string>; lines: string[] }> = [
  { parser: 'nginx', params: {}, lines: nginxLines },
  { parser: 'syslog', params: {}, lines: syslogLines },
  { parser: 'json', params: {}, lines: jsonLines },
  { parser: 'regexp', params: { expression: '/^(?<remote>[^ ]*) [^ ]* (?<user>[^ ]*) \\[(?<time>[^\\]]*)\\] "(?<request>[^"]*)" (?<code>\\d+) (?<size>\\d+)/', time_format: '%d/%b/%Y:%H:%M:%S %z' }, lines: nginxLines },
];

const machine = machineInfo();
console.log(`parse bench: ${N} lines each, ${machine.cpu}, node ${machine.node}`);
for (const c of cases) {
  const parser = await buildParser(sectionFromParams('parse', c.parser, c.params), { log });
  let events = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let batch = new EventBatch();
  for (let i = 0; i < c.lines.length; i++) {
    parser.parse(c.lines[i]!, batch);
    if (batch.length === 1000) {
      events += batch.length;
      batch = new EventBatch();
    }
  }
  events += batch.length;
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const linesPerSec = Math.round(c.lines.length / sec);
  console.log(`${c.parser.padEnd(8)} ${linesPerSec.toLocaleString('en-US').padStart(12)} lines/s  (${events} events, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} CPU s)`);
  console.log(JSON.stringify({ bench: 'parse', parser: c.parser, lines: c.lines.length, events, linesPerSec, cpu: machine.cpu, node: machine.node }));
}
