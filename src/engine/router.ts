import type { EventBatch } from '../event/event-batch.ts';
import type { Logger } from '../plugin-api/logger.ts';
import type { FilterPlugin, OutputHandle } from '../plugin-api/types.ts';
import { compileTagPattern } from './match-pattern.ts';

export interface FilterRule {
  kind: 'filter';
  id: string;
  pattern: string;
  matches: (tag: string) => boolean;
  plugin: FilterPlugin;
}

export interface MatchRule {
  kind: 'match';
  id: string;
  pattern: string;
  matches: (tag: string) => boolean;
  output: OutputHandle;
}

export type Rule = FilterRule | MatchRule;

export interface Pipeline {
  filters: FilterRule[];
  match: MatchRule | null;
}

const MATCH_CACHE_LIMIT = 1024;

/**
 * The rules of one label (the top level is the label @ROOT), in file order. Fluentd's routing: the first matching
 * <match> takes the event, and only the <filter>s written before it apply, in order. Lookups are cached per tag.
 */
export class LabelRouter {
  readonly rules: Rule[] = [];
  private readonly cache = new Map<string, Pipeline>();
  private unmatchedCount = 0;

  constructor(
    readonly name: string,
    private readonly log: Logger,
    private readonly onFilterError: (tag: string, batch: EventBatch, error: Error) => void,
  ) {}

  addFilter(id: string, pattern: string, plugin: FilterPlugin): void {
    this.rules.push({ kind: 'filter', id, pattern, matches: compileTagPattern(pattern), plugin });
  }

  addMatch(id: string, pattern: string, output: OutputHandle): void {
    this.rules.push({ kind: 'match', id, pattern, matches: compileTagPattern(pattern), output });
  }

  pipeline(tag: string): Pipeline {
    let found = this.cache.get(tag);
    if (found) return found;
    found = { filters: [], match: null };
    for (const rule of this.rules) {
      if (!rule.matches(tag)) continue;
      if (rule.kind === 'filter') {
        found.filters.push(rule);
      } else {
        found.match = rule;
        break;
      }
    }
    if (this.cache.size >= MATCH_CACHE_LIMIT) this.cache.clear();
    this.cache.set(tag, found);
    return found;
  }

  emit(tag: string, batch: EventBatch): Promise<void> {
    const { filters, match } = this.pipeline(tag);
    let current = batch;
    for (const rule of filters) {
      let next: EventBatch | null;
      try {
        next = rule.plugin.filter(tag, current);
      } catch (err) {
        // A filter that fails on a whole batch must not lose it: the events go to the error route with the cause.
        this.onFilterError(tag, current, err as Error);
        return Promise.resolve();
      }
      if (!next || next.length === 0) return Promise.resolve();
      current = next;
    }
    if (!match) {
      this.warnUnmatched(tag);
      return Promise.resolve();
    }
    return match.output.emit(tag, current);
  }

  /** Fluentd logs "no patterns matched" at counts 1, 2, 4, ... 512 and then every 512th. */
  private warnUnmatched(tag: string): void {
    const n = ++this.unmatchedCount;
    if ((n <= 512 && (n & (n - 1)) === 0) || n % 512 === 0) {
      this.log.warn({ tag, label: this.name === '@ROOT' ? undefined : this.name, count: n }, 'no patterns matched');
    }
  }
}
