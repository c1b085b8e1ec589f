/**
 * out_forward -> in_forward between two real logferry processes, the receiver SIGKILLed mid-stream and restarted.
 *
 * The test sends numbered events to the agent's in_forward, each frame acked once the agent's file buffer holds it.
 * The agent forwards with require_ack_response through a file buffer (flush_thread_count 1: one chunk in flight) to
 * the aggregator, whose in_forward acks only once its own file buffer holds the chunk, and which writes out_file.
 * After the kill nothing may be missing. Duplicates have two bounded sources: the agent's chunk in flight whose ack
 * the kill swallowed (sent again), and the aggregator's out_file write the kill interrupted (written again on
 * resume); each is at most one chunk of CHUNK_RECORDS.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, tempDir, waitUntil } from '../helpers/harness.ts';
import { kill9, killAllLogferry, startLogferry, withTimeout, type LogferryProcess } from '../helpers/logferry-process.ts';
import { array, entry, pk, RawClient, str32 } from './forward-helpers.ts';

const TOTAL = 20_000;
const PER_FRAME = 100;
const CHUNK_RECORDS = 500;
const KILLS = 2;

const tmp = tempDir('logferry-fwd-kill9-');
after(() => {
  killAllLogferry();
  tmp.cleanup();
});

async function run(name: string, config: string): Promise<LogferryProcess> {
  const file = path.join(tmp.dir, `${name}.conf`);
  writeFileSync(file, config);
  const child = startLogferry(file);
  assert.ok(await withTimeout(child.started, 20_000, `${name} to start`), `${name} exited at start: ${child.log.join('\n')}`);
  return child;
}

/** seq -> copies, from every complete line out_file wrote (time<TAB>tag<TAB>json). */
function outputCounts(dir: string): Map<number, number> {
  const counts = new Map<number, number>();
  if (!existsSync(dir)) return counts;
  for (const name of readdirSync(dir)) {
    for (const line of readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      const json = line.split('\t')[2];
      if (!json) continue;
      try {
        const seq = (JSON.parse(json) as { seq: number }).seq;
        counts.set(seq, (counts.get(seq) ?? 0) + 1);
      } catch {
        // the line a kill cut short; its chunk is written again whole
      }
    }
  }
  return counts;
}

test('the aggregator SIGKILLed mid-stream and restarted: nothing lost, duplicates bounded by the unacked chunks', async () => {
  const agentPort = await freePort();
  const aggPort = await freePort();
  const outDir = path.join(tmp.dir, 'out');
  const aggregatorConf = `
<source>
  @type forward
  port ${aggPort}
  bind 127.0.0.1
</source>
<match **>
  @type file
  path ${outDir}/events
  append true
  <buffer tag>
    @type file
    path ${tmp.dir}/agg-buffer
    flush_mode interval
    flush_interval 0.3
    chunk_limit_records ${CHUNK_RECORDS}
    retry_wait 0.2
  </buffer>
</match>`;
  const agentConf = `
<source>
  @type forward
  port ${agentPort}
  bind 127.0.0.1
</source>
<match **>
  @type forward
  require_ack_response true
  ack_response_timeout 2
  heartbeat_type none
  connect_timeout 1
  <server>
    host 127.0.0.1
    port ${aggPort}
  </server>
  <buffer tag>
    @type file
    path ${tmp.dir}/agent-buffer
    flush_mode interval
    flush_interval 0.1
    flush_thread_count 1
    chunk_limit_records ${CHUNK_RECORDS}
    retry_wait 0.2
    retry_max_interval 0.5
    flush_at_shutdown true
  </buffer>
</match>`;
  let aggregator = await run('aggregator', aggregatorConf);
  const agent = await run('agent', agentConf);
  const client = await RawClient.open(agentPort);

  let sent = 0;
  const sending = (async () => {
    for (let frame = 0; sent < TOTAL; frame++) {
      const entries: Buffer[] = [];
      for (let i = 0; i < PER_FRAME; i++, sent++) entries.push(entry(1700000000 + sent, sent, { seq: sent }));
      client.write(array(pk('kill9.fwd'), str32(Buffer.concat(entries)), pk({ chunk: `f${frame}`, size: PER_FRAME })));
      await client.reply(frame + 1, 15_000);
      await new Promise((r) => setTimeout(r, 15));
    }
  })();

  for (let k = 0; k < KILLS; k++) {
    await waitUntil(() => sent >= ((k + 1) * TOTAL) / (KILLS + 1.5), 20_000, 'the stream to progress');
    await kill9(aggregator);
    await new Promise((r) => setTimeout(r, 700)); // the agent's writes fail meanwhile and are retried
    aggregator = await run('aggregator', aggregatorConf);
  }
  await sending;
  client.close();

  await waitUntil(() => outputCounts(outDir).size >= TOTAL, 20_000, `every event in the aggregator's output (have ${outputCounts(outDir).size})`);
  agent.proc.kill('SIGTERM');
  await agent.exited;
  aggregator.proc.kill('SIGTERM');
  await aggregator.exited;

  const counts = outputCounts(outDir);
  const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !counts.has(i));
  assert.deepEqual(missing, [], 'no event lost');
  assert.equal(counts.size, TOTAL);
  const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
  assert.ok(duplicates <= KILLS * 2 * CHUNK_RECORDS, `${duplicates} duplicates, at most ${KILLS * 2 * CHUNK_RECORDS} (one agent chunk and one aggregator write per kill)`);
  console.log(`# ${TOTAL} events, ${KILLS} kills, ${duplicates} duplicates`);
});
