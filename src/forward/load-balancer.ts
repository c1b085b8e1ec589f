export interface Balanced {
  readonly weight: number;
  readonly standby: boolean;
  readonly label: string;
  available(): boolean;
}

export class NoNodesAvailableError extends Error {
  constructor() {
    super('no nodes are available');
  }
}

/**
 * out_forward's load_balancer.rb: each node appears in a shuffled array as often as its weight (divided by the
 * weights' gcd), and sends go round-robin over it, skipping unavailable nodes. Standby nodes join only to make up
 * the weight of regular nodes that are down.
 */
export class LoadBalancer<N extends Balanced> {
  private weightArray: N[] = [];
  private rr = 0;
  private readonly seed = Math.floor(Math.random() * 2 ** 31);

  constructor(private readonly log: { warn(obj: unknown, msg?: string): void; debug(obj: unknown, msg?: string): void }) {}

  rebuild(nodes: N[]): void {
    const weighted = nodes.filter((n) => n.weight > 0);
    const regular = weighted.filter((n) => !n.standby);
    const standby = weighted.filter((n) => n.standby);
    let lostWeight = regular.filter((n) => !n.available()).reduce((sum, n) => sum + n.weight, 0);
    this.log.debug({ lost_weight: lostWeight }, 'rebuilding weight array');
    for (const n of standby) {
      if (lostWeight <= 0) break;
      if (!n.available()) continue;
      regular.push(n);
      this.log.warn({ weight: n.weight }, `using standby node ${n.label}`);
      lostWeight -= n.weight;
    }
    if (regular.length === 0) {
      this.log.warn({}, 'No nodes are available');
      this.weightArray = [];
      return;
    }
    const divisor = regular.reduce((g, n) => gcd(g, n.weight), 0);
    let array: N[] = [];
    for (const n of regular) for (let i = 0; i < n.weight / divisor; i++) array.push(n);
    // While a crashed server is still being detected, a longer array spreads the retries over the others.
    const coe = Math.floor((regular.length * 6) / array.length);
    if (coe > 1) array = Array.from({ length: coe }, () => array).flat();
    const random = seeded(this.seed);
    const keys = array.map(() => random());
    this.weightArray = array.map((n, i) => [keys[i]!, n] as const).sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  }

  /** Runs `send` on the next available node, trying the others on failure; throws the last error if all fail. */
  async select<T>(send: (node: N) => Promise<T>): Promise<T> {
    let error: unknown;
    const length = this.weightArray.length;
    for (let i = 0; i < length; i++) {
      const array = this.weightArray;
      if (array.length === 0) break;
      const r = this.rr % array.length;
      this.rr = (r + 1) % array.length;
      const node = array[r]!;
      if (!node.available()) continue;
      try {
        return await send(node);
      } catch (err) {
        error = err;
      }
    }
    if (error) throw error;
    throw new NoNodesAvailableError();
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** A small deterministic PRNG (mulberry32): the same order on every rebuild, as Fluentd's Random.new(seed). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
