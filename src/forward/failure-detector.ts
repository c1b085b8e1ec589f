/**
 * out_forward's phi accrual failure detector (failure_detector.rb): heartbeat arrival gaps in a window of the last
 * 1000, weighted toward recent ones; phi grows with the time since the last heartbeat relative to the mean gap.
 */
const PHI_FACTOR = 1 / Math.log(10);
const SAMPLE_SIZE = 1000;

export class FailureDetector {
  private window: number[];
  private readonly initGap: number;

  /** Times are epoch seconds (float). */
  constructor(private readonly heartbeatInterval: number, private readonly hardTimeout: number, private last: number) {
    this.initGap = Math.trunc(heartbeatInterval * 1e6);
    this.window = [this.initGap];
  }

  hardTimeoutPassed(now: number): boolean {
    return now - this.last > this.hardTimeout;
  }

  add(now: number): void {
    if (this.window.length === 0) {
      this.window.push(this.initGap);
    } else {
      this.window.push(Math.trunc((now - this.last) * 1e6));
      if (this.window.length > SAMPLE_SIZE) this.window.shift();
    }
    this.last = now;
  }

  phi(now: number): number {
    if (this.window.length === 0) return 0;
    let weighted = 0;
    let fact = 0;
    this.window.forEach((gap, i) => {
      weighted += gap * (1 + i);
      fact += 1 + i;
    });
    const meanUsec = Math.trunc(weighted / fact);
    const mean = meanUsec / 1e6 - this.heartbeatInterval + 1;
    const t = now - this.last - this.heartbeatInterval + 1;
    return (PHI_FACTOR * t) / mean;
  }

  get sampleSize(): number {
    return this.window.length;
  }

  clear(): void {
    this.window = [];
    this.last = 0;
  }
}
