const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 1000;

/**
 * Calls emit until the buffers take the events, backing off 100 ms to 1 s between refusals. A stream input keeps
 * its socket paused meanwhile, so a full buffer stops the client (TCP backpressure) instead of growing memory.
 * False when `stopped` turned true (the connection closed), whether or not the last emit went through.
 */
export async function retryEmit(emit: () => Promise<void>, stopped: () => boolean, onRefused: (err: Error, retryMs: number) => void): Promise<boolean> {
  for (let backoff = RETRY_MIN_MS; ; backoff = Math.min(RETRY_MAX_MS, backoff * 2)) {
    try {
      await emit();
      return !stopped();
    } catch (err) {
      onRefused(err as Error, backoff);
    }
    await new Promise((r) => setTimeout(r, backoff));
    if (stopped()) return false;
  }
}
