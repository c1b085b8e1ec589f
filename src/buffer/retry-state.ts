import type { BufferParams } from './settings.ts';

/**
 * Fluentd's retry_state.rb: the first failure waits retry_wait; each later one waits retry_wait × base^steps
 * (randomized ±12.5%, capped at retry_max_interval), or a constant wait when periodic. Gives up after
 * retry_max_times or retry_timeout unless retry_forever; <secondary> takes over at retry_secondary_threshold.
 */
export class RetryState {
  steps = 0;
  readonly start: number;
  next: number;

  constructor(private readonly p: BufferParams, now: number, private readonly hasSecondary: boolean, private readonly random = Math.random) {
    this.start = now;
    this.next = now + p.retry_wait;
    this.capAtTimeout();
  }

  /** Called on each further failure. */
  step(now: number): void {
    this.steps++;
    let wait = this.p.retry_type === 'periodic' ? this.p.retry_wait : this.p.retry_wait * this.p.retry_exponential_backoff_base ** this.steps;
    if (this.p.retry_randomize) wait *= 0.875 + this.random() * 0.25;
    if (this.p.retry_max_interval !== undefined) wait = Math.min(wait, this.p.retry_max_interval);
    this.next = now + wait;
    this.capAtTimeout();
  }

  private capAtTimeout(): void {
    if (!this.p.retry_forever) this.next = Math.min(this.next, this.start + this.p.retry_timeout);
  }

  limitReached(now: number): boolean {
    if (this.p.retry_forever) return false;
    if (this.p.retry_max_times !== undefined && this.steps >= this.p.retry_max_times) return true;
    return now >= this.start + this.p.retry_timeout;
  }

  /** <secondary> is used once this much of the retry budget has passed (never with retry_forever). */
  useSecondary(now: number): boolean {
    if (!this.hasSecondary || this.p.retry_forever) return false;
    if (this.p.retry_max_times !== undefined) return this.steps >= Math.floor(this.p.retry_max_times * this.p.retry_secondary_threshold);
    return now - this.start >= this.p.retry_timeout * this.p.retry_secondary_threshold;
  }
}
