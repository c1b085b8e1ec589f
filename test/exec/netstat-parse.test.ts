import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSocketLine, processList, splitLocalAddress, type SocketRecord } from '../../src/exec/netstat-parse.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const SAMPLES = new URL('../../conf/demo/', import.meta.url);

function lines(url: URL): string[] {
  return readFileSync(url, 'utf8').split('\n').filter((l) => l !== '');
}

function sockets(url: URL): SocketRecord[] {
  return lines(url).map(parseSocketLine).filter((r): r is SocketRecord => r !== null && r !== 'header');
}

function find(records: SocketRecord[], local: string): SocketRecord {
  const found = records.filter((r) => r.local_address === local);
  assert.equal(found.length, 1, `exactly one socket on ${local}`);
  return found[0]!;
}

const socket = (protocol: string, local: string, foreign: string, state: string, process: string, name: string, recv = '0', send = '0') =>
  ({ protocol, recv, send, local_address: local, foreign_address: foreign, state, process, name });

describe('ss -tulpn', () => {
  const file = new URL('ss-tulpn-root.txt', FIXTURES);
  const records = sockets(file);

  it('skips the header and gives one record per socket', () => {
    assert.equal(parseSocketLine(lines(file)[0]!), 'header');
    assert.equal(records.length, 13);
    assert.ok(lines(file).slice(1).every((l) => parseSocketLine(l) !== null));
  });
  it('UDP (UNCONN) and TCP (LISTEN) with the lowest pid of several owners', () => {
    assert.deepEqual(find(records, '0.0.0.0:5353'), socket('udp', '0.0.0.0:5353', '0.0.0.0:*', 'UNCONN', '11816', 'python3'));
    assert.deepEqual(find(records, '127.0.0.1:47760'), socket('tcp', '127.0.0.1:47760', '0.0.0.0:*', 'LISTEN', '11816', 'python3', '0', '16'));
  });
  it('keeps interface suffixes and brackets in local_address', () => {
    assert.deepEqual(find(records, '127.0.0.53%lo:53'), socket('udp', '127.0.0.53%lo:53', '0.0.0.0:*', 'UNCONN', '11816', 'python3'));
    assert.equal(find(records, '[fe80::fc:ff:fe00:1]%eth0:546').foreign_address, '[::]:*');
    assert.equal(find(records, '[::]:2222').send, '128');
    assert.equal(find(records, '*:8443').foreign_address, '*:*');
  });
  it('program names with spaces; the owner list by pid', () => {
    const line = lines(file).find((l) => l.includes('0.0.0.0:8081'))!;
    const rec = parseSocketLine(line) as SocketRecord;
    assert.deepEqual(rec, socket('tcp', '0.0.0.0:8081', '0.0.0.0:*', 'LISTEN', '12126', 'nginx: master p', '0', '511'));
    assert.deepEqual(processList(line, rec), ['12126/nginx: master p', '12135/nginx: worker p']);
  });
  it('a socket without a visible owner has "-"', () => {
    const rec = find(records, '0.0.0.0:2024');
    assert.equal(rec.process, '-');
    assert.equal(rec.name, '-');
    assert.deepEqual(processList(lines(file).find((l) => l.includes(':2024'))!, rec), []);
  });
  it('as non-root (no users column) every owner is "-"', () => {
    const nonroot = sockets(new URL('ss-tulpn-nonroot.txt', FIXTURES));
    assert.equal(nonroot.length, 13);
    assert.ok(nonroot.every((r) => r.process === '-' && r.name === '-'));
    assert.deepEqual(find(nonroot, '[::1]:631'), socket('tcp', '[::1]:631', '[::]:*', 'LISTEN', '-', '-', '0', '5'));
  });
  it('-a: a connected UDP socket', () => {
    const all = sockets(new URL('ss-tulpna-root.txt', FIXTURES));
    assert.deepEqual(find(all, '127.0.0.1:40123'), socket('udp', '127.0.0.1:40123', '127.0.0.1:5353', 'ESTAB', '11816', 'python3'));
  });
  it('without a Netid column (-tlpn, -ulpn) the protocol comes from the state', () => {
    const tcp = sockets(new URL('ss-tlpn-root.txt', FIXTURES));
    assert.equal(tcp.length, 8);
    assert.deepEqual(find(tcp, '[fd00::2]:9100'), socket('tcp', '[fd00::2]:9100', '[::]:*', 'LISTEN', '11816', 'python3', '0', '5'));
    const udp = sockets(new URL('ss-ulpn-root.txt', FIXTURES));
    assert.equal(udp.length, 5);
    assert.ok(udp.every((r) => r.protocol === 'udp' && r.state === 'UNCONN'));
    assert.equal((parseSocketLine('ESTAB 0 0 127.0.0.1:1 127.0.0.1:2') as SocketRecord).protocol, '');
  });
  it('a peer column glued to the users column', () => {
    const rec = parseSocketLine('tcp LISTEN 0 5 [::1]:631 [::]:*users:(("cupsd",pid=9,fd=7))') as SocketRecord;
    assert.deepEqual(rec, socket('tcp', '[::1]:631', '[::]:*', 'LISTEN', '9', 'cupsd', '0', '5'));
  });
  it('the shared sample', () => {
    const sample = sockets(new URL('ss-tulpn.txt', SAMPLES));
    assert.equal(sample.length, 6);
    assert.deepEqual(find(sample, '0.0.0.0:80'), socket('tcp', '0.0.0.0:80', '0.0.0.0:*', 'LISTEN', '812', 'nginx', '0', '511'));
    assert.deepEqual(find(sample, '[::]:443'), socket('tcp', '[::]:443', '[::]:*', 'LISTEN', '-', '-', '0', '511'));
  });
});

describe('netstat -tulpn', () => {
  const file = new URL('netstat-tulpn-root.txt', FIXTURES);
  const records = sockets(file);

  it('skips both header lines', () => {
    const [first, second] = lines(file);
    assert.equal(parseSocketLine(first!), 'header');
    assert.equal(parseSocketLine(second!), 'header');
    assert.equal(records.length, 13);
  });
  it('TCP with its state, UDP with an empty state', () => {
    assert.deepEqual(find(records, '0.0.0.0:8080'), socket('tcp', '0.0.0.0:8080', '0.0.0.0:*', 'LISTEN', '11816', 'python3'));
    assert.deepEqual(find(records, '127.0.0.53:53'), socket('udp', '127.0.0.53:53', '0.0.0.0:*', '', '11816', 'python3'));
  });
  it('bare IPv6 addresses', () => {
    assert.deepEqual(find(records, ':::8443'), socket('tcp6', ':::8443', ':::*', 'LISTEN', '11816', 'python3'));
    assert.deepEqual(find(records, 'fe80::fc:ff:fe00:1:546'), socket('udp6', 'fe80::fc:ff:fe00:1:546', ':::*', '', '11816', 'python3'));
  });
  it('a program column with spaces, cut by net-tools', () => {
    assert.deepEqual(find(records, '::1:5354'), socket('udp6', '::1:5354', ':::*', '', '12126', 'nginx: master'));
    const sample = sockets(new URL('netstat-tulpn.txt', SAMPLES));
    assert.equal(sample.length, 7);
    assert.deepEqual(find(sample, ':::22'), socket('tcp6', ':::22', ':::*', 'LISTEN', '700', 'sshd: /usr/sbin'));
    assert.deepEqual(find(sample, '0.0.0.0:443'), socket('tcp', '0.0.0.0:443', '0.0.0.0:*', 'LISTEN', '812', 'nginx: master p'));
    assert.deepEqual(find(sample, 'fe80::4001:aff:fe00:546'), socket('udp6', 'fe80::4001:aff:fe00:546', ':::*', '', '640', 'systemd-network'));
  });
  it('"-" without root', () => {
    const nonroot = sockets(new URL('netstat-tulpn-nonroot.txt', FIXTURES));
    assert.equal(nonroot.length, 13);
    assert.deepEqual(find(nonroot, '0.0.0.0:5353'), socket('udp', '0.0.0.0:5353', '0.0.0.0:*', '', '-', '-'));
    assert.deepEqual(find(nonroot, ':::2222'), socket('tcp6', ':::2222', ':::*', 'LISTEN', '-', '-'));
  });
  it('-a: a connected UDP socket has ESTABLISHED', () => {
    const all = sockets(new URL('netstat-tunap-root.txt', FIXTURES));
    assert.deepEqual(find(all, '127.0.0.1:40123'), socket('udp', '127.0.0.1:40123', '127.0.0.1:5353', 'ESTABLISHED', '11816', 'python3'));
  });
  it('a one-owner process list', () => {
    const line = lines(file).find((l) => l.includes(':::8443'))!;
    assert.deepEqual(processList(line, parseSocketLine(line) as SocketRecord), ['11816/python3']);
  });
});

describe('lines of neither tool', () => {
  it('do not match; blank lines are skipped like headers', () => {
    assert.equal(parseSocketLine('(No info could be read for "-p": geteuid()=65534 but you should be root.)'), null);
    assert.equal(parseSocketLine('hello world'), null);
    assert.equal(parseSocketLine('tcp 0 0'), null);
    assert.equal(parseSocketLine(''), 'header');
    assert.equal(parseSocketLine('   '), 'header');
  });
});

describe('splitLocalAddress', () => {
  const cases: Array<[string, string, number | null]> = [
    ['0.0.0.0:22', '0.0.0.0', 22],
    [':::22', '::', 22],
    ['::1:631', '::1', 631],
    ['[::]:22', '::', 22],
    ['[::1]:631', '::1', 631],
    ['127.0.0.53%lo:53', '127.0.0.53', 53],
    ['[fe80::fc:ff:fe00:1]%eth0:546', 'fe80::fc:ff:fe00:1', 546],
    ['fe80::fc:ff:fe00:1:546', 'fe80::fc:ff:fe00:1', 546],
    ['*:8443', '*', 8443],
    ['0.0.0.0:*', '0.0.0.0', null],
  ];
  for (const [address, ip, port] of cases) {
    it(address, () => assert.deepEqual(splitLocalAddress(address), { ip, port }));
  }
});
