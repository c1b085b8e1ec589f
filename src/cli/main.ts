import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PluginRegistry } from '../engine/registry.ts';
import { runAgent, runConfigCommand, runRouteCommand, type RunOptions } from './run-command.ts';
import { closest } from './suggest.ts';

const COMMANDS = ['config', 'route', 'parse', 'format'];

const HELP = `Usage: logferry [options]                 run the agent (Fluentd's flags)
       logferry config -c FILE [--json]   print the effective configuration
       logferry route -c FILE TAG [--label @NAME]   which filters and match an event with TAG reaches
       logferry parse --type TYPE [--param k=v ...] | -c FILE [--source ID]   parse stdin lines
       logferry format --type TYPE [--param k=v ...]   format {"tag","time","record"} stdin lines

Options:
  -c, --config PATH          config file (default $FLUENT_CONF or /etc/fluent/fluent.conf)
  -i, --inline-config STR    config text appended to the file
  -p, --plugin DIR           add a plugin directory (repeatable; default $FLUENT_PLUGIN)
      --dry-run              configure every plugin and exit (0 = valid; errors list file:line)
  -v, -vv / -q, -qq          more / less logging (debug, trace / warn, error)
  -o, --log PATH             write logferry's own log to PATH (default stderr)
      --without-source       run without inputs
      --suppress-config-dump do not log the configuration at start
      --no-supervisor        accepted: logferry always runs as one process
      --list-plugins         list the plugins found
  -h, --help                 this help
      --version              print the version

Signals: SIGTERM/SIGINT stop gracefully (flush_at_shutdown applies), SIGUSR1 flushes all buffers,
SIGHUP/SIGUSR2 reload the configuration (an invalid new one is reported and the running one kept).
`;

const NODE_SUPPORT = 'Supports Node 20 and later. The AWS SDK version it pins runs on Node 20; the SDK\'s releases after the first week of January 2027 need Node 22, so upgrading the SDK past them will need Node 22.';

// Fluentd flags that make no sense for logferry: refused by name rather than ignored.
const REFUSED: Record<string, string> = {
  daemon: 'run logferry under systemd (or another supervisor) instead of daemonizing',
  user: 'start logferry as the user it should run as (systemd User=)',
  group: 'start logferry with the group it should run as (systemd Group=)',
  'config-file-type': 'only the Fluentd config syntax is supported, not YAML',
  setup: 'write the config file yourself; see conf/ for examples',
};

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  'inline-config': { type: 'string', short: 'i' },
  plugin: { type: 'string', short: 'p', multiple: true },
  'dry-run': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  quiet: { type: 'boolean', short: 'q', multiple: true },
  log: { type: 'string', short: 'o' },
  'without-source': { type: 'boolean' },
  'suppress-config-dump': { type: 'boolean' },
  'no-supervisor': { type: 'boolean' },
  'strict-config-value': { type: 'boolean' },
  workers: { type: 'string' },
  'list-plugins': { type: 'boolean' },
  json: { type: 'boolean' },
  label: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  daemon: { type: 'string', short: 'd' },
  user: { type: 'string' },
  group: { type: 'string' },
  'config-file-type': { type: 'string' },
  setup: { type: 'string', short: 's' },
} as const;

/** " Did you mean ...?" for a mistyped command or option, else nothing. */
function didYouMean(err: NodeJS.ErrnoException, args: string[]): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'(-{1,2}[^']+)'/.exec(err.message)?.[1] ?? '';
    const name = given.replace(/^-+/, '').split('=')[0]!;
    const match = closest(name, Object.keys(OPTIONS));
    return match ? ` Did you mean --${match}?` : '';
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const word = args.find((a) => !a.startsWith('-')) ?? '';
    const match = closest(word, COMMANDS);
    return match ? ` Did you mean 'logferry ${match}'?` : ` The commands are ${COMMANDS.join(', ')}.`;
  }
  return '';
}

async function main(argv: string[]): Promise<number> {
  const sub = argv[0];
  if (sub === 'parse') {
    const { runParseCommand } = await import('./parse-command.ts');
    return runParseCommand(argv.slice(1), stdio());
  }
  if (sub === 'format') {
    const { runFormatCommand } = await import('./format-command.ts');
    return runFormatCommand(argv.slice(1), stdio());
  }
  const rest = sub === 'config' || sub === 'route' ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: sub === 'route', options: OPTIONS });
  } catch (err) {
    process.stderr.write(`logferry: ${(err as Error).message.replace(/\.?$/, '.')}${didYouMean(err as NodeJS.ErrnoException, rest)}\nRun 'logferry --help' for the commands and options.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    // src/cli/ in the checkout, dist/src/cli/ in the build.
    const up = import.meta.url.endsWith('.ts') ? '../../' : '../../../';
    const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`logferry ${pkg.version} on Node ${process.version}\n${NODE_SUPPORT}\n`);
    return 0;
  }
  for (const [flag, why] of Object.entries(REFUSED)) {
    if ((values as Record<string, unknown>)[flag] !== undefined) {
      process.stderr.write(`logferry: --${flag} is not supported: ${why}\n`);
      return 2;
    }
  }
  if (values.workers !== undefined && values.workers !== '1') {
    process.stderr.write('logferry: --workers: logferry runs a single worker process\n');
    return 2;
  }
  const envPlugins = process.env.FLUENT_PLUGIN ? [process.env.FLUENT_PLUGIN] : [];
  const pluginDirs = [...(values.plugin ?? []), ...envPlugins];
  if (values['list-plugins']) {
    for (const { kind, type, file } of new PluginRegistry(pluginDirs).list()) {
      process.stdout.write(`${kind.padEnd(9)} ${type.padEnd(20)} ${file}\n`);
    }
    return 0;
  }
  const options: RunOptions = {
    config: values.config ?? process.env.FLUENT_CONF ?? '/etc/fluent/fluent.conf',
    inlineConfig: values['inline-config'],
    pluginDirs,
    verbosity: (values.verbose?.length ?? 0) - (values.quiet?.length ?? 0),
    logFile: values.log,
    dryRun: values['dry-run'] ?? false,
    withoutSource: values['without-source'] ?? false,
    suppressConfigDump: values['suppress-config-dump'] ?? false,
  };
  if (sub === 'config') return runConfigCommand(options, values.json ?? false, process.stdout);
  if (sub === 'route') {
    const tag = positionals[0];
    if (!tag) {
      process.stderr.write('usage: logferry route -c FILE TAG\n');
      return 2;
    }
    return runRouteCommand(options, tag, values.label, process.stdout);
  }
  return runAgent(options);
}

function stdio() {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`logferry: ${err.message}\n`);
    process.exit(1);
  },
);
