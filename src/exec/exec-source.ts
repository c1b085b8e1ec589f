import { EventBatch } from '../event/event-batch.ts';
import { nowEventTime } from '../event/event-time.ts';
import { BufferOverflowError } from '../plugin-api/errors.ts';
import type { EmittingContext, Parser } from '../plugin-api/types.ts';
import type { Extractor } from '../plugin-helpers/extract.ts';
import { takeSnapshot, type ChangeDetector, type Snapshot } from './change-detector.ts';
import { runChild, type ChildResult, type ChildRun } from './child-process.ts';
import { createOutputReader, type ReadMode } from './output-reader.ts';
import { RunCollector } from './run-collector.ts';

export interface ExecSourceOptions {
  command: string;
  mergeStderr: boolean;
  /** Run every this many ms (first run after one interval, as Fluentd); undefined: once at start. */
  intervalMs: number | undefined;
  timeoutMs: number | undefined;
  readMode: ReadMode;
  encoding: string | undefined;
  readBlockSize: number;
  parser: Parser;
  extractor: Extractor | undefined;
  tag: string | undefined;
  /** check_diff: the detector and the tag of change records. */
  changes: { detector: ChangeDetector; tag: string } | undefined;
}

// Shutdown: TERM to the running command's group, KILL after this long (Fluentd's child exit timeout).
const SHUTDOWN_GRACE_MS = 10_000;
const STDERR_LINES_PER_RUN = 50;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;

/**
 * Fluentd's in_exec run loop with logferry's guarantees: runs never overlap (a tick that finds the previous run
 * still going is skipped with a warning), a run outliving its timeout has its process group killed, stderr and
 * non-zero exits are logged, and each run's events go out as one batch per tag, retried while buffers are full.
 */
export class ExecSource {
  private timer: NodeJS.Timeout | undefined;
  private child: ChildRun | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly ctx: EmittingContext,
    private readonly options: ExecSourceOptions,
  ) {}

  async start(): Promise<void> {
    await this.options.changes?.detector.load();
    const interval = this.options.intervalMs;
    if (interval === undefined) {
      this.launch();
      return;
    }
    this.timer = setInterval(() => {
      if (this.running) {
        const why = this.child ? 'previous child process is still running. skipped.'
          : 'the previous run\'s events are still waiting for buffer space. skipped.';
        this.ctx.log.warn({ command: this.options.command, interval: interval / 1000 }, why);
        return;
      }
      this.launch();
    }, interval);
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.child?.stop(SHUTDOWN_GRACE_MS);
    await this.running;
  }

  private launch(): void {
    this.running = this.run()
      .catch((err: unknown) => this.ctx.log.error({ command: this.options.command, err }, 'exec run failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async run(): Promise<void> {
    const { options, ctx } = this;
    const { command, changes } = options;
    const collector = new RunCollector(ctx, options.parser, options.tag, options.extractor);
    const streaming = options.intervalMs === undefined && changes === undefined;
    const reader = createOutputReader(options.readMode, {
      encoding: options.encoding,
      blockSize: options.readBlockSize,
      onText: (text) => collector.parse(text),
      onIncomplete: (rest) =>
        ctx.log.warn({ command, chars: rest.length }, 'JSON stream ended in the middle of a document; discarding incomplete data'),
    });
    let stderrLines = 0;
    this.child = runChild({
      command,
      mergeStderr: options.mergeStderr,
      timeoutMs: options.timeoutMs,
      log: ctx.log,
      onStdout: (chunk) => {
        reader.push(chunk);
        return streaming && collector.size > 0 ? this.emitAll(collector.take()) : undefined;
      },
      onStderrLine: (line) => {
        if (++stderrLines <= STDERR_LINES_PER_RUN) ctx.log.warn({ command, stderr: line }, `command stderr: ${line}`);
      },
    });
    const result = await this.child.done;
    this.child = undefined;
    reader.end();
    if (stderrLines > STDERR_LINES_PER_RUN) {
      ctx.log.warn({ command, lines: stderrLines - STDERR_LINES_PER_RUN }, 'more stderr lines of this run were not logged');
    }
    const problem = this.report(result, collector.total);
    const batches = collector.take();
    if (changes === undefined) {
      await this.emitAll(batches);
    } else if (problem !== undefined) {
      ctx.log.warn({ command }, `change detection skipped for this run (${problem}); its records are emitted, the baseline is kept`);
      await this.emitAll(batches);
    } else {
      await this.emitWithChanges(batches.get(options.tag!) ?? new EventBatch(), changes);
    }
  }

  /** Logs how the run ended; returns why it did not end cleanly (undefined: exit status 0). */
  private report(result: ChildResult, records: number): string | undefined {
    const { log } = this.ctx;
    const { command } = this.options;
    const { pid, code, signal } = result;
    if (result.spawnError) {
      log.error({ command, err: result.spawnError }, `command could not be started: ${result.spawnError.message}`);
      return 'it could not start';
    }
    if (result.timedOut) return 'it timed out';
    if (result.stopped) {
      log.debug({ command, pid, records }, 'command stopped at shutdown');
      return 'stopped at shutdown';
    }
    if (code === 126 || code === 127) {
      const why = code === 127 ? 'command not found' : 'command not executable';
      log.error({ command, pid, code }, `command could not be started: /bin/sh exited with ${code} (${why})`);
      return 'it could not start';
    }
    if (signal !== null) {
      log.warn({ command, pid, signal, records }, `command was killed by ${signal}; the ${records} records it printed are emitted`);
      return `killed by ${signal}`;
    }
    if (code !== 0) {
      log.warn({ command, pid, code, records }, `command exited with code ${code}; the ${records} records it printed are emitted`);
      return `exit code ${code}`;
    }
    log.debug({ command, pid, records }, 'command finished');
    return undefined;
  }

  private async emitAll(batches: Map<string, EventBatch>): Promise<void> {
    for (const [tag, batch] of batches) await this.emit(tag, batch);
  }

  private async emitWithChanges(batch: EventBatch, changes: { detector: ChangeDetector; tag: string }): Promise<void> {
    const { log } = this.ctx;
    let snapshot: Snapshot;
    try {
      snapshot = takeSnapshot(batch.records);
    } catch (err) {
      log.error({ command: this.options.command, err }, 'change detection skipped: the records cannot be serialized');
      await this.emit(this.options.tag!, batch);
      return;
    }
    const comparison = changes.detector.compare(snapshot);
    if (comparison.kind === 'same') {
      log.debug({ records: batch.length }, 'the snapshot has not changed; nothing emitted');
      await changes.detector.commit(snapshot);
      return;
    }
    if (!(await this.emit(this.options.tag!, batch))) return;
    if (comparison.kind === 'changed') {
      const now = nowEventTime();
      const record = {
        added: comparison.added,
        removed: comparison.removed,
        previous_count: comparison.previousCount,
        current_count: comparison.currentCount,
      };
      log.info({ tag: changes.tag, added: comparison.added.length, removed: comparison.removed.length }, 'command output changed');
      if (!(await this.emit(changes.tag, EventBatch.single(now.sec, now.nsec, record)))) return;
    }
    await changes.detector.commit(snapshot);
  }

  /**
   * Emits a batch; while a buffer is full (BufferOverflowError) retries with backoff, so the run holds its data and
   * the next tick is skipped. Other failures go to the error route as Fluentd's on_record does. True when accepted.
   */
  private async emit(tag: string, batch: EventBatch): Promise<boolean> {
    if (batch.length === 0) return true;
    for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        await this.ctx.emit(tag, batch);
        return true;
      } catch (err) {
        if (err instanceof BufferOverflowError && !this.stopping) {
          this.ctx.log.debug({ tag, records: batch.length, retry_in_ms: delay }, 'buffer full; holding the events of this run');
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        this.ctx.log.error({ tag, records: batch.length, err }, 'exec failed to emit');
        for (let i = 0; i < batch.length; i++) {
          this.ctx.emitError(tag, batch.secs[i]!, batch.nsecs[i]!, batch.records[i]!, err as Error);
        }
        return false;
      }
    }
  }
}
