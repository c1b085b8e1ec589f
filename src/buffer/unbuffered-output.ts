import type { EventBatch } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { OutputContext, OutputHandle, OutputPlugin } from '../plugin-api/types.ts';

/** An output without a buffer: `emit` is the plugin's `process`, so the emitter learns at once whether it failed. */
export class UnbufferedOutputHandle implements OutputHandle {
  readonly id: string;
  private readonly plugin: OutputPlugin;
  private readonly counters = { emitCount: 0, emitRecords: 0, numErrors: 0 };

  constructor(o: { id: string; plugin: OutputPlugin; ctx: OutputContext; log: Logger }) {
    this.id = o.id;
    this.plugin = o.plugin;
    if (!o.plugin.process) {
      throw new Error(`output ${o.ctx.type} needs a <buffer> (it writes chunks and has no unbuffered mode)`);
    }
  }

  async start(): Promise<void> {
    await this.plugin.start?.();
  }

  emit(tag: string, batch: EventBatch): Promise<void> {
    this.counters.emitCount++;
    this.counters.emitRecords += batch.length;
    try {
      const done = this.plugin.process!(tag, batch);
      if (!done) return Promise.resolve();
      return Promise.resolve(done).catch((err: unknown) => {
        this.counters.numErrors++;
        throw err;
      });
    } catch (err) {
      this.counters.numErrors++;
      return Promise.reject(err);
    }
  }

  /** Fluentd's non-buffered output statistics (emit_count, emit_records, num_errors), for monitor_agent. */
  metrics(): { emitCount: number; emitRecords: number; numErrors: number } {
    return { ...this.counters };
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {
    await this.plugin.shutdown?.();
  }
}
