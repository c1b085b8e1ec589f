import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from '../plugin-api/logger.ts';
import { FailureDetector } from './failure-detector.ts';
import type { ClientSecurity } from './handshake.ts';
import { Link, type LinkOptions } from './link.ts';
import type { Balanced } from './load-balancer.ts';
import type { ClientTls } from './tls.ts';

export interface ServerConfig {
  host: string;
  port: number;
  name: string | undefined;
  weight: number;
  standby: boolean;
  sharedKey: string | undefined;
  username: string;
  password: string;
}

export interface SenderSettings {
  heartbeatType: 'transport' | 'udp' | 'none';
  heartbeatInterval: number;
  hardTimeout: number;
  phiFailureDetector: boolean;
  phiThreshold: number;
  recoverWait: number;
  ackResponseTimeout: number;
  sendTimeout: number;
  connectTimeout: number | undefined;
  expireDnsCache: number | undefined;
  dnsRoundRobin: boolean;
  keepalive: boolean;
  keepaliveTimeout: number | undefined;
  sendKeepalivePacket: boolean;
  tls: ClientTls | undefined;
  /** <security>: self_hostname and the default shared_key. */
  security: { selfHostname: string; sharedKey: string } | undefined;
}

const now = () => Date.now() / 1000;

/**
 * One <server> of out_forward (out_forward.rb's Node): its address (with expire_dns_cache / dns_round_robin), its
 * health from heartbeats through the failure detector, and sending one chunk's frame, waiting for the ack when one
 * is asked for. With keepalive one idle connection is kept and reused until keepalive_timeout.
 */
export class ForwardNode implements Balanced {
  readonly label: string;
  private isAvailable = true;
  private readonly failure: FailureDetector;
  private resolved: { address: string; at: number } | undefined;
  private idle: Link | undefined;
  private readonly security: ClientSecurity | undefined;
  /** The certificate name: the host when it is a name, else <server> name. */
  private readonly hostname: string | undefined;

  constructor(readonly server: ServerConfig, private readonly s: SenderSettings, private readonly log: Logger) {
    this.label = server.name ?? `${server.host}:${server.port}`;
    this.failure = new FailureDetector(s.heartbeatInterval, s.hardTimeout, now());
    this.hostname = isIP(server.host) ? server.name : server.host;
    this.security = s.security && {
      selfHostname: s.security.selfHostname,
      sharedKey: server.sharedKey ?? s.security.sharedKey,
      username: server.username,
      password: server.password,
    };
  }

  get weight(): number {
    return this.server.weight;
  }

  get standby(): boolean {
    return this.server.standby;
  }

  available(): boolean {
    return this.s.heartbeatType === 'none' || this.isAvailable;
  }

  disable(): void {
    this.isAvailable = false;
  }

  /** The address to connect to, cached as expire_dns_cache says (unset: forever; 0: never). */
  async resolve(): Promise<string> {
    const ttl = this.s.expireDnsCache;
    const cached = this.resolved;
    if (cached && ttl !== 0 && (ttl === undefined || now() - cached.at < ttl)) return cached.address;
    const all = await lookup(this.server.host, { all: true });
    if (all.length === 0) throw new Error(`${this.server.host} has no address`);
    const pick = this.s.dnsRoundRobin ? all[Math.floor(Math.random() * all.length)]! : all[0]!;
    this.resolved = { address: pick.address, at: now() };
    return pick.address;
  }

  async connect(): Promise<Link> {
    const options: LinkOptions = {
      address: await this.resolve(),
      port: this.server.port,
      hostname: this.hostname,
      tls: this.s.tls,
      connectTimeoutMs: this.s.connectTimeout === undefined ? undefined : this.s.connectTimeout * 1000,
      sendTimeoutMs: this.s.sendTimeout * 1000,
      handshakeTimeoutMs: this.s.hardTimeout * 1000,
      security: this.security,
      keepalivePacket: this.s.sendKeepalivePacket,
    };
    return Link.open(options);
  }

  /** Sends one frame; with `ack`, resolves only when the server answered {"ack": ack}. */
  async send(frame: Buffer, ack: string | undefined): Promise<void> {
    const link = this.takeIdle() ?? (await this.connect());
    try {
      await link.write(frame, this.s.sendTimeout * 1000);
      if (ack !== undefined) {
        let reply: unknown;
        try {
          reply = await link.reply(this.s.ackResponseTimeout * 1000);
        } catch (err) {
          this.log.warn({ host: this.server.host, port: this.server.port, error: (err as Error).message }, 'no response from node. regard it as unavailable.');
          this.disable();
          throw err;
        }
        const got = (reply as { ack?: unknown } | null)?.ack;
        if (got !== ack) throw new Error(`ack in response and chunk id in sent data are different (ack ${JSON.stringify(got)})`);
      }
    } catch (err) {
      link.destroy();
      throw err;
    }
    this.release(link);
    this.heartbeat(false);
  }

  /** heartbeat_type transport: a connection (and handshake) that succeeds is a heartbeat. True when it recovered. */
  async transportHeartbeat(): Promise<boolean> {
    const link = await this.connect();
    link.close();
    return this.heartbeat(true);
  }

  /** Records a heartbeat; with `detect`, a node down long enough comes back (true: the weights need rebuilding). */
  heartbeat(detect: boolean): boolean {
    this.failure.add(now());
    if (detect && !this.isAvailable && this.failure.sampleSize > this.s.recoverWait / this.s.heartbeatInterval) {
      this.isAvailable = true;
      this.log.warn({ host: this.server.host, port: this.server.port }, `recovered forwarding server '${this.label}'`);
      return true;
    }
    return false;
  }

  /** Fluentd's Node#tick: detach a node past hard_timeout or phi_threshold. True when it was detached. */
  tick(): boolean {
    if (this.s.heartbeatType === 'none') return false;
    const t = now();
    if (!this.isAvailable) {
      if (this.failure.hardTimeoutPassed(t)) this.failure.clear();
      return false;
    }
    const detach = (fields: Record<string, unknown>) => {
      this.log.warn({ host: this.server.host, port: this.server.port, ...fields }, `detached forwarding server '${this.label}'`);
      this.disable();
      this.resolved = undefined;
      this.failure.clear();
      return true;
    };
    if (this.failure.hardTimeoutPassed(t)) return detach({ hard_timeout: true });
    if (this.s.phiFailureDetector) {
      const phi = this.failure.phi(t);
      if (phi > this.s.phiThreshold) return detach({ phi, phi_threshold: this.s.phiThreshold });
    }
    return false;
  }

  /** The address last resolved (UDP heartbeat replies are matched against it). */
  get resolvedAddress(): string | undefined {
    return this.resolved?.address;
  }

  /** The port heartbeats and chunks go to. */
  get port(): number {
    return this.server.port;
  }

  stop(): void {
    this.idle?.destroy();
    this.idle = undefined;
  }

  private takeIdle(): Link | undefined {
    const link = this.idle;
    this.idle = undefined;
    if (!link) return undefined;
    const expired = this.s.keepaliveTimeout !== undefined && Date.now() - link.lastUsed > this.s.keepaliveTimeout * 1000;
    if (link.alive && !expired) return link;
    link.destroy();
    return undefined;
  }

  private release(link: Link): void {
    if (!this.s.keepalive) {
      link.close();
      return;
    }
    this.idle?.destroy();
    this.idle = link;
  }
}
