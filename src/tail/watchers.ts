import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { InputContext, Parser } from '../plugin-api/index.ts';
import type { PathOptions } from './expand-paths.ts';
import { LineEmitter, type LineOptions } from './line-emitter.ts';
import type { PositionFile } from './position-file.ts';
import type { Tailed } from './tailed.ts';

/** The in_tail parameters the tailing machinery reads. */
export interface TailOptions extends PathOptions, LineOptions {
  rotate_wait: number;
  read_from_head: boolean;
  limit_recently_modified?: number | undefined;
  open_on_every_update: boolean;
  from_encoding?: string | undefined;
  ignore_repeated_permission_error: boolean;
}

/**
 * What both ways of tailing share: the tailed files, their polling (one at a time per file) and the directory
 * watches that wake it. A subclass says which files are tailed (refresh) and how one is read (poll).
 */
export abstract class Watchers {
  /** By path; with follow_inodes by inode (`String(ino)`), the pos file's key. */
  protected readonly watched = new Map<string, Tailed>();
  /** Set once the files found at start are tailed. */
  started = false;
  protected stopped = false;
  protected readonly decoder: TextDecoder | null;
  protected readonly lines: LineEmitter;
  /** Files warned about as unreadable, until they are read again. */
  private readonly unreadable = new Set<string>();
  private readonly dirWatchers = new Map<string, FSWatcher>();

  constructor(protected readonly ctx: InputContext, protected readonly p: TailOptions, parser: Parser, protected readonly pos: PositionFile | null) {
    this.decoder = p.from_encoding ? new TextDecoder(p.from_encoding) : null;
    this.lines = new LineEmitter(ctx, p, parser, () => this.stopped);
  }

  /** Expands path and starts or stops tailing files accordingly: at start, then every refresh_interval. */
  abstract refresh(startup: boolean): Promise<void>;

  /** Reads what one tailed file has new. */
  protected abstract poll(w: Tailed): Promise<void>;

  /** The key in watched of the file a directory event names. */
  protected abstract keyOf(file: string): string;

  pollAll(): void {
    for (const w of this.watched.values()) this.pollOne(w);
  }

  /** Stops tailing: nothing new is read; resolves once the polls (and scans) running now have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const watcher of this.dirWatchers.values()) watcher.close();
    await this.running();
    while ([...this.watched.values()].some((w) => w.busy)) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    for (const w of this.watched.values()) {
      await w.reader?.close();
      for (const d of w.draining) await d.reader.close();
    }
  }

  /** What else stop() waits for. */
  protected running(): Promise<void> | null {
    return null;
  }

  private pollOne(w: Tailed): void {
    if (this.stopped || Date.now() < w.retryAt) return;
    if (w.busy) {
      w.again = true;
      return;
    }
    w.busy = true;
    w.again = false;
    this.poll(w).catch((err: Error) => this.ctx.log.error({ path: w.path, error: err.message }, 'tail failed')).finally(() => {
      w.busy = false;
      if (w.again) this.pollOne(w);
    });
  }

  protected watchDirectory(dir: string): void {
    if (this.dirWatchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        const file = name ? join(dir, name.toString()) : undefined;
        const w = file === undefined ? undefined : this.watched.get(this.keyOf(file));
        if (w) this.pollOne(w);
      });
      watcher.on('error', () => this.dirWatchers.delete(dir));
      this.dirWatchers.set(dir, watcher);
    } catch {
      // no inotify here (or the directory is not there yet): the poll timer still finds everything
    }
  }

  /**
   * A file that cannot be stat'ed or opened (other than not being there): warned once, not at every poll, until it
   * can be read again; with ignore_repeated_permission_error, once for good.
   */
  protected cannotRead(file: string, err: NodeJS.ErrnoException): void {
    if (err.code === 'ENOENT' || this.unreadable.has(file)) return;
    this.unreadable.add(file);
    if (err.code === 'EACCES') this.ctx.log.warn({ path: file }, 'permission denied: cannot read the file');
    else this.ctx.log.warn({ path: file, error: err.message }, 'cannot open');
  }

  /** The file could be opened: a later failure is a new streak, warned again. */
  protected readable(file: string): void {
    if (!this.p.ignore_repeated_permission_error) this.unreadable.delete(file);
  }
}
