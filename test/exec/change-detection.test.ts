import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ChangeDetector, takeSnapshot } from '../../src/exec/change-detector.ts';
import { diffSnapshots } from '../../src/exec/change-set.ts';
import { SnapshotStore } from '../../src/exec/snapshot-store.ts';
import { testLogger } from '../formatter/plugin-builder.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'logferry-diff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ssh = { protocol: 'tcp', local_address: '0.0.0.0:22', process: '700' };
const web = { protocol: 'tcp', local_address: '0.0.0.0:80', process: '812' };
const dns = { protocol: 'udp', local_address: '127.0.0.53:53', process: '583' };

describe('diffSnapshots', () => {
  it('equal sets in any order, with fields in any order, are no change', () => {
    assert.equal(diffSnapshots([ssh, web, dns], [dns, { process: '812', local_address: '0.0.0.0:80', protocol: 'tcp' }, ssh], undefined), null);
  });
  it('names what appeared (current order) and what disappeared (previous order)', () => {
    const opened = { protocol: 'tcp', local_address: '0.0.0.0:8080', process: '900' };
    assert.deepEqual(diffSnapshots([ssh, web, dns], [opened, ssh], undefined), { added: [opened], removed: [web, dns] });
  });
  it('multisets: a record present twice before and once now is one removed', () => {
    assert.deepEqual(diffSnapshots([ssh, ssh, web], [web, ssh], undefined), { added: [], removed: [ssh] });
    assert.deepEqual(diffSnapshots([ssh], [ssh, ssh], undefined), { added: [ssh], removed: [] });
  });
  it('diff_keys: only those fields identify a record; an absent key equals null', () => {
    const busier = { ...web, recv: '5' };
    assert.equal(diffSnapshots([{ ...web, recv: '0' }], [busier], ['protocol', 'local_address']), null);
    assert.deepEqual(diffSnapshots([web], [{ ...web, process: '813' }], ['local_address', 'process']),
      { added: [{ ...web, process: '813' }], removed: [web] });
    assert.equal(diffSnapshots([{ a: null }], [{}], ['a']), null);
  });
});

describe('SnapshotStore', () => {
  it('round-trips through an atomic write and leaves no temporary file', async () => {
    const file = path.join(dir, 'a', 'b', 'snap.json');
    const store = new SnapshotStore(file, { file: 0o600, dir: 0o700 });
    assert.equal(await store.load(), undefined);
    await store.save('ss -tulpn', JSON.stringify([ssh, web]));
    const loaded = await store.load();
    assert.equal(loaded?.command, 'ss -tulpn');
    assert.deepEqual(loaded?.records, [ssh, web]);
    assert.deepEqual(readdirSync(path.dirname(file)), ['snap.json']);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
    await store.save('ss -tulpn', JSON.stringify([dns]));
    assert.deepEqual((await store.load())?.records, [dns]);
    assert.deepEqual(readdirSync(path.dirname(file)), ['snap.json']);
  });
  it('refuses a file that is not a snapshot', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{"records": 1}');
    await assert.rejects(new SnapshotStore(file, { file: 0o644, dir: 0o755 }).load(), /not a version 1 exec snapshot/);
    writeFileSync(file, '{"version":1,"command":"x","records":[');
    await assert.rejects(new SnapshotStore(file, { file: 0o644, dir: 0o755 }).load(), SyntaxError);
  });
});

describe('ChangeDetector', () => {
  const detector = (file: string | undefined, command = 'ss -tulpn', keys?: string[]) => {
    const { log, lines } = testLogger();
    const store = file === undefined ? undefined : new SnapshotStore(file, { file: 0o644, dir: 0o755 });
    return { d: new ChangeDetector({ command, keys, store, log }), lines };
  };

  it('baseline, then same, then changed with counts', async () => {
    const { d } = detector(undefined);
    await d.load();
    const first = takeSnapshot([ssh, web]);
    assert.deepEqual(d.compare(first), { kind: 'baseline' });
    await d.commit(first);
    assert.deepEqual(d.compare(takeSnapshot([web, ssh])), { kind: 'same' });
    const third = takeSnapshot([web, dns]);
    assert.deepEqual(d.compare(third), { kind: 'changed', added: [dns], removed: [ssh], previousCount: 2, currentCount: 2 });
  });
  it('the snapshot is a copy: changing the emitted records later changes nothing', async () => {
    const { d } = detector(undefined);
    const records = [{ ...ssh }];
    const snap = takeSnapshot(records);
    await d.commit(snap);
    records[0]!.process = 'mutated downstream';
    assert.deepEqual(d.compare(takeSnapshot([ssh])), { kind: 'same' });
  });
  it('a restart compares with the persisted snapshot: no re-alert, and a change made while down is reported', async () => {
    const file = path.join(dir, 'restart', 'snap.json');
    const before = detector(file);
    await before.d.load();
    await before.d.commit(takeSnapshot([ssh, web]));

    const same = detector(file);
    await same.d.load();
    assert.deepEqual(same.d.compare(takeSnapshot([web, ssh])), { kind: 'same' });

    const changed = detector(file);
    await changed.d.load();
    const cmp = changed.d.compare(takeSnapshot([ssh]));
    assert.equal(cmp.kind, 'changed');
    assert.deepEqual(cmp.kind === 'changed' && cmp.removed, [web]);
  });
  it('writes the file only when the snapshot changed', async () => {
    const file = path.join(dir, 'writes', 'snap.json');
    const { d } = detector(file);
    await d.commit(takeSnapshot([ssh]));
    const savedAt = JSON.parse(readFileSync(file, 'utf8')).saved_at;
    await new Promise((r) => setTimeout(r, 5));
    await d.commit(takeSnapshot([ssh]));
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).saved_at, savedAt);
    await d.commit(takeSnapshot([ssh, dns]));
    assert.notEqual(JSON.parse(readFileSync(file, 'utf8')).saved_at, savedAt);
  });
  it('a snapshot of another command, or an unreadable one, is no baseline (with a warning)', async () => {
    const file = path.join(dir, 'other', 'snap.json');
    await detector(file, 'netstat -tulpn').d.commit(takeSnapshot([ssh]));
    const other = detector(file, 'ss -tulpn');
    await other.d.load();
    assert.deepEqual(other.d.compare(takeSnapshot([web])), { kind: 'baseline' });
    assert.ok(other.lines.some((l) => l.level === 40 && /another command/.test(l.msg)));

    writeFileSync(file, 'garbage');
    const broken = detector(file);
    await broken.d.load();
    assert.deepEqual(broken.d.compare(takeSnapshot([web])), { kind: 'baseline' });
    assert.ok(broken.lines.some((l) => l.level === 40 && /cannot read the saved snapshot/.test(l.msg)));
  });
  it('a failed save is logged and the in-memory baseline still moves on', async () => {
    const blocker = path.join(dir, 'blocker');
    writeFileSync(blocker, '');
    const { d, lines } = detector(path.join(blocker, 'snap.json'));
    await d.commit(takeSnapshot([ssh]));
    assert.ok(lines.some((l) => l.level === 50 && /cannot save the snapshot/.test(l.msg)));
    assert.deepEqual(d.compare(takeSnapshot([ssh])), { kind: 'same' });
  });
});
