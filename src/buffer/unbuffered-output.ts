import type { EventBatch } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { OutputContext, OutputHandle, OutputPlugin } from '../plugin-api/types.ts';

/** An output without a buffer: `emit` is the plugin's `process`, so the emitter learns at once whether it failed. */
export class UnbufferedOutputHandle implements OutputHandle {
  readonly id: string;
  private readonly plugin: OutputPlugin;

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
    try {
      return Promise.resolve(this.plugin.process!(tag, batch));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {
    await this.plugin.shutdown?.();
  }
}
