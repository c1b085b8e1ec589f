import type { BufferParams } from './settings.ts';

/**
 * Fluentd's retry_state.rb. The first retry comes retry_wait after the first failure; each later one waits
 * retry_wait × base^steps (capped at retry_max_interval, then randomized ±12.5%), or retry_wait when periodic. The
 * next time never passes retry_timeout; a failure once it was reached twice, or after retry_max_times, gives up
 * (never with retry_forever).
 *
 * With a <secondary>, the switch comes at retry_secondary_threshold of the retry budget (retry_timeout, or the
 * shorter total wait retry_max_times allows): retries are capped at that moment, and from the first failure after
 * it the secondary is used, with the backoff starting again from retry_wait.
 */
export class RetryState {
  steps = 0;
  readonly start: number;
  next: number;
  private readonly timeoutAt: number;
  /** When the secondary takes over; null without one (or with retry_forever, which never switches). */
  private readonly transitionAt: number | null;
  private onSecondary = false;
  private transitionSteps = 0;
  private reachedTimeout = false;
  private timedOut = false;

  constructor(private readonly p: BufferParams, now: number, hasSecondary: boolean, private readonly random = Math.random) {
    this.start = now;
    this.timeoutAt = now + p.retry_timeout;
    this.next = now + p.retry_wait;
    if (hasSecondary && !p.retry_forever) {
      const byMaxTimes = p.retry_max_times === undefined ? Infinity : this.maxRetryTimeout(p.retry_max_times);
      this.transitionAt = now + Math.min(p.retry_timeout, byMaxTimes) * p.retry_secondary_threshold;
    } else {
      this.transitionAt = null;
    }
  }

  /** Called on each further failure. */
  step(now: number): void {
    this.steps++;
    if (this.transitionAt !== null && !this.onSecondary && now >= this.transitionAt) {
      this.onSecondary = true;
      this.transitionSteps = this.steps;
    }
    this.next = this.nextTime(now);
    if (this.reachedTimeout) this.timedOut = this.next >= this.timeoutAt;
    else this.reachedTimeout = this.next >= this.timeoutAt;
  }

  limitReached(): boolean {
    if (this.p.retry_forever) return false;
    return this.timedOut || (this.p.retry_max_times !== undefined && this.steps >= this.p.retry_max_times);
  }

  /** Whether this write goes to <secondary>. */
  useSecondary(now: number): boolean {
    return this.transitionAt !== null && (this.onSecondary || now >= this.transitionAt);
  }

  private nextTime(now: number): number {
    if (this.p.retry_forever) return now + this.randomized(this.interval(this.steps));
    if (this.transitionAt !== null && !this.onSecondary) return Math.min(now + this.randomized(this.interval(this.steps)), this.transitionAt);
    return Math.min(now + this.randomized(this.interval(this.steps - this.transitionSteps)), this.timeoutAt);
  }

  /** The wait before retry n (0-based), before randomizing. */
  private interval(n: number): number {
    if (this.p.retry_type === 'periodic') return this.p.retry_wait;
    let wait = this.p.retry_wait * this.p.retry_exponential_backoff_base ** n;
    // An overflow to Infinity falls back to the last finite wait, as Fluentd's calc_interval does.
    while (!Number.isFinite(wait) && n > 0) wait = this.p.retry_wait * this.p.retry_exponential_backoff_base ** --n;
    return this.p.retry_max_interval !== undefined ? Math.min(wait, this.p.retry_max_interval) : wait;
  }

  private randomized(interval: number): number {
    return this.p.retry_randomize ? interval + interval * 0.125 * (2 * this.random() - 1) : interval;
  }

  /** The total wait retry_max_times retries take (Fluentd's calc_max_retry_timeout). */
  private maxRetryTimeout(maxSteps: number): number {
    let total = 0;
    // Only compared with retry_timeout, so the sum may stop once past it (a large retry_max_times stays cheap).
    for (let i = 0; i < maxSteps && total < this.p.retry_timeout; i++) total += this.interval(i);
    return total;
  }
}
