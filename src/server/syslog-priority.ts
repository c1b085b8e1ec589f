/** Fluentd in_syslog's FACILITY_MAP: facility number (PRI >> 3) to name. */
const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'ntp', 'audit', 'alert', 'at', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
/** SEVERITY_MAP: PRI & 7 to name. */
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** The names in_syslog puts in the tag; a facility past local7 has none (Fluentd's tag then has an empty part). */
export function priorityNames(pri: number): { facility: string | undefined; severity: string } {
  return { facility: FACILITIES[pri >> 3], severity: SEVERITIES[pri & 7]! };
}

/** `<PRI>rest` as in_syslog's SYSLOG_REGEXP reads it when the parser does not take the priority itself. */
export function splitPriority(text: string): { pri: number; rest: string } | undefined {
  const m = /^<([0-9]+)>/.exec(text);
  return m ? { pri: Number(m[1]), rest: text.slice(m[0].length) } : undefined;
}
