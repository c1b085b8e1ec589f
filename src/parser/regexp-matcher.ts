import type { EventRecord } from '../plugin-api/index.ts';

/**
 * Runs a translated Ruby regexp and collects its named captures the way Fluentd's RegexpParser does: only groups
 * that participated in the match, all as strings. The group names are listed once, so a line costs one exec and
 * one small object.
 */
export class NamedCaptureMatcher {
  readonly names: readonly string[];
  /** Where the last successful match ended (Ruby's post_match starts here). */
  lastEnd = 0;
  private readonly re: RegExp;

  constructor(re: RegExp, names: readonly string[]) {
    this.re = re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
    this.names = names;
  }

  match(text: string): EventRecord | null {
    const m = this.re.exec(text);
    if (m === null) return null;
    this.lastEnd = m.index + m[0].length;
    const groups = m.groups!;
    const record: EventRecord = {};
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const value = groups[name];
      if (value !== undefined) record[name] = value;
    }
    return record;
  }
}
