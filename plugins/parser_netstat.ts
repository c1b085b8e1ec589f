import type { EventRecord } from '../src/plugin-api/index.ts';
import { defineParser, p, z } from '../src/plugin-api/index.ts';
import { commonParserParams } from '../src/parser/common-params.ts';
import { ParserCore } from '../src/parser/parser-core.ts';
import { parseSocketLine, processList, splitLocalAddress } from '../src/exec/netstat-parse.ts';

/**
 * Listening (and other) sockets from `netstat -tulpn` / `-tunlp` / `-tunap` (net-tools) or `ss -tulpn` (iproute2),
 * recognised line by line: one record per socket with the SIEM's Custom.Netstat fields, all strings.
 * Header and blank lines give no event and are not errors; a line of neither tool does not match. How UDP's state,
 * unknown owners, shared sockets and ss without a Netid column come out: see src/exec/netstat-parse.ts.
 */
export default defineParser({
  type: 'netstat',
  description: 'Sockets from netstat -tulpn or ss -tulpn (auto-detected) as protocol, recv, send, local_address, foreign_address, state, process, name.',
  params: z.object({
    ...commonParserParams(),
    add_port_fields: p.bool().default(false)
      .describe('Also add local_ip (without brackets or %interface) and local_port (a number; null for *).'),
    add_process_list: p.bool().default(false)
      .describe('Also add processes: every owner as "pid/name", by pid (process/name hold the lowest pid\'s; "-" when unknown).'),
  }),
  create(ctx, params, conf) {
    const core = new ParserCore(params, conf, ctx.log);
    const { add_port_fields: addPort, add_process_list: addProcesses } = params;
    return {
      parse(text, out) {
        const socket = parseSocketLine(text);
        if (socket === null) return false;
        if (socket === 'header') return true;
        const record = socket as unknown as EventRecord;
        if (addPort) {
          const { ip, port } = splitLocalAddress(socket.local_address);
          record.local_ip = ip;
          record.local_port = port;
        }
        if (addProcesses) record.processes = processList(text, socket);
        core.add(record, out);
        return true;
      },
    };
  },
});
