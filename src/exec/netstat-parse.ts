/**
 * One line of `netstat -tulpn` / `-tunap` (net-tools) or `ss -tulpn` (iproute2), recognised per line so that the
 * parser needs no header and a pipeline may drop it. The result has the SIEM's Custom.Netstat fields, all strings.
 *
 * Representation choices (the parser plugin, plugins/parser_netstat.ts, refers here):
 * - `state` is the tool's word: netstat leaves UDP's state empty (""), ss says UNCONN.
 * - `process` is the pid and `name` the program; both are "-" when the tool shows no owner (not root, no -p, or
 *   a socket of another namespace). netstat's name is its PID/Program column after the slash (it may hold spaces
 *   and is cut at 19 characters by net-tools); ss's name is the quoted command name.
 * - A socket several processes hold (ss lists them all, e.g. nginx master and workers): `process`/`name` are the
 *   lowest pid's, which is stable from run to run and is the one net-tools shows (it keeps the first pid it finds
 *   scanning /proc in ascending order). The full list goes to the optional `processes` field.
 * - ss without a Netid column (only one of -t/-u given): the protocol is inferred from the state, LISTEN and the
 *   other TCP states are "tcp", UNCONN is "udp", ESTAB (either) is "".
 */

export interface SocketRecord {
  protocol: string;
  recv: string;
  send: string;
  local_address: string;
  foreign_address: string;
  state: string;
  process: string;
  name: string;
}

/** Owners of a socket as `pid/name`, sorted by pid, each pid once. */
export type ProcessList = string[];

export type LineResult = SocketRecord | 'header' | null;

const MAX_TOKENS = 8;
const UNKNOWN = '-';

// Reused across lines: token starts and ends of the current line (the parse is synchronous, one line at a time).
const starts = new Int32Array(MAX_TOKENS);
const ends = new Int32Array(MAX_TOKENS);

/** Splits on runs of spaces and tabs, recording at most MAX_TOKENS tokens; returns how many were found. */
function tokenize(line: string): number {
  let n = 0;
  let i = 0;
  const len = line.length;
  while (n < MAX_TOKENS) {
    while (i < len && isBlank(line.charCodeAt(i))) i++;
    if (i >= len) break;
    starts[n] = i;
    while (i < len && !isBlank(line.charCodeAt(i))) i++;
    ends[n] = i;
    n++;
  }
  return n;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

function token(line: string, i: number): string {
  return line.slice(starts[i]!, ends[i]!);
}

function isDigits(line: string, i: number): boolean {
  const s = starts[i]!;
  const e = ends[i]!;
  if (e <= s) return false;
  for (let k = s; k < e; k++) {
    const c = line.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A protocol / Netid word: lowercase letters, digits and `_` (tcp, udp6, u_str). */
function isLowerWord(line: string, i: number): boolean {
  const c = line.charCodeAt(starts[i]!);
  return c >= 97 && c <= 122;
}

/** A state word of either tool: uppercase letters, digits, `_` and `-` (LISTEN, TIME_WAIT, FIN-WAIT-1). */
function isStateWord(line: string, i: number): boolean {
  const s = starts[i]!;
  const e = ends[i]!;
  for (let k = s; k < e; k++) {
    const c = line.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45)) return false;
  }
  const first = line.charCodeAt(s);
  return first >= 65 && first <= 90;
}

/** Parses one line; 'header' for the tools' header lines and blank lines, null for a line of neither tool. */
export function parseSocketLine(line: string): LineResult {
  const n = tokenize(line);
  if (n === 0) return 'header';
  const first = token(line, 0);
  if (first === 'Active' || first === 'Proto' || first === 'Netid') return 'header';
  if (first === 'State' && n > 1 && token(line, 1) === 'Recv-Q') return 'header';
  if (n >= 5 && isLowerWord(line, 0) && isDigits(line, 1) && isDigits(line, 2)) return netstatLine(line, n);
  if (n >= 6 && isLowerWord(line, 0) && isStateWord(line, 1) && isDigits(line, 2) && isDigits(line, 3)) {
    return ssLine(line, first, 1);
  }
  if (n >= 5 && isStateWord(line, 0) && isDigits(line, 1) && isDigits(line, 2)) {
    return ssLine(line, protocolOfState(first), 0);
  }
  return null;
}

// net-tools: Proto Recv-Q Send-Q Local Foreign [State] PID/Program (the program may hold spaces).
function netstatLine(line: string, n: number): SocketRecord {
  let state = '';
  let programAt = 5;
  if (n > 5 && isStateWord(line, 5)) {
    state = token(line, 5);
    programAt = 6;
  }
  let process = UNKNOWN;
  let name = UNKNOWN;
  if (programAt < n) {
    const program = line.slice(starts[programAt]!).trimEnd();
    const slash = program.indexOf('/');
    if (slash > 0) {
      process = program.slice(0, slash);
      name = program.slice(slash + 1);
    }
  }
  return {
    protocol: token(line, 0),
    recv: token(line, 1),
    send: token(line, 2),
    local_address: token(line, 3),
    foreign_address: token(line, 4),
    state,
    process,
    name,
  };
}

// iproute2: [Netid] State Recv-Q Send-Q Local:Port Peer:Port [users:(("name",pid=N,fd=M),...)]
function ssLine(line: string, protocol: string, stateAt: number): SocketRecord {
  const count = scanUsers(line);
  const owner = count === 0 ? -1 : lowestPidIndex(count);
  return {
    protocol,
    recv: token(line, stateAt + 1),
    send: token(line, stateAt + 2),
    local_address: token(line, stateAt + 3),
    foreign_address: peerToken(line, stateAt + 4),
    state: token(line, stateAt),
    process: owner < 0 ? UNKNOWN : String(userPids[owner]),
    name: owner < 0 ? UNKNOWN : userNames[owner]!,
  };
}

const USERS = 'users:(';
const DIGITS = /^\d+$/;

// ss pads the peer column; when it fills it exactly, the process column follows without a space.
function peerToken(line: string, i: number): string {
  const t = token(line, i);
  const glued = t.indexOf(USERS);
  return glued > 0 ? t.slice(0, glued) : t;
}

function protocolOfState(state: string): string {
  if (state === 'UNCONN') return 'udp';
  if (state === 'ESTAB') return '';
  return 'tcp';
}

// ss's users column of the current line, filled by scanUsers (reused: one line at a time).
const userNames: string[] = [];
const userPids: number[] = [];

/** Reads every `("name",pid=N,...)` entry of ss's users column into userNames/userPids; returns their count. */
function scanUsers(line: string): number {
  userNames.length = 0;
  userPids.length = 0;
  const at = line.indexOf(USERS);
  if (at < 0) return 0;
  const len = line.length;
  let i = at + USERS.length;
  for (;;) {
    const open = line.indexOf('("', i);
    if (open < 0) break;
    const nameEnd = line.indexOf('",pid=', open + 2);
    if (nameEnd < 0) break;
    let p = nameEnd + 6;
    const pidStart = p;
    while (p < len && line.charCodeAt(p) >= 48 && line.charCodeAt(p) <= 57) p++;
    if (p > pidStart) {
      userNames.push(line.slice(open + 2, nameEnd));
      userPids.push(Number(line.slice(pidStart, p)));
    }
    i = p;
  }
  return userPids.length;
}

function lowestPidIndex(count: number): number {
  let best = 0;
  for (let k = 1; k < count; k++) if (userPids[k]! < userPids[best]!) best = k;
  return best;
}

/** Every owner of the socket as `pid/name`, by pid, each pid once (ss lists one entry per file descriptor). */
export function processList(line: string, record: SocketRecord): ProcessList {
  const count = scanUsers(line);
  if (count === 0) return record.process === UNKNOWN ? [] : [`${record.process}/${record.name}`];
  const byPid = new Map<number, string>();
  for (let k = 0; k < count; k++) {
    if (!byPid.has(userPids[k]!)) byPid.set(userPids[k]!, `${userPids[k]}/${userNames[k]}`);
  }
  return [...byPid.keys()].sort((a, b) => a - b).map((pid) => byPid.get(pid)!);
}

/**
 * Splits a local address into ip and port as printed by either tool: `0.0.0.0:22`, `:::22`, `[::]:22`,
 * `127.0.0.53%lo:53`, `[fe80::1]%eth0:546`, `*:80`. The interface suffix is dropped from the ip (it stays in
 * local_address); the port is a number, or null when it is not one (`*`).
 */
export function splitLocalAddress(address: string): { ip: string; port: number | null } {
  const colon = address.lastIndexOf(':');
  const host = colon < 0 ? address : address.slice(0, colon);
  const portText = colon < 0 ? '' : address.slice(colon + 1);
  let ip = host;
  const percent = ip.indexOf('%');
  if (percent >= 0) ip = ip.slice(0, percent);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const port = DIGITS.test(portText) ? Number(portText) : null;
  return { ip, port };
}
