import { createHash, randomBytes } from 'node:crypto';

/**
 * The forward protocol's shared-key handshake (HELO / PING / PONG), both sides, as in_forward.rb and
 * out_forward/handshake_protocol.rb do it. Digests are hex SHA-512 over the concatenated byte strings.
 */

const sha512hex = (...parts: Array<string | Buffer>) => {
  const h = createHash('sha512');
  for (const part of parts) h.update(part);
  return h.digest('hex');
};

const text = (v: unknown): string | Buffer | undefined => (typeof v === 'string' || Buffer.isBuffer(v) ? v : undefined);

// ---- server side ------------------------------------------------------------------------------------------------

export interface ServerSecurity {
  selfHostname: string;
  sharedKey: string;
  userAuth: boolean;
  allowAnonymousSource: boolean;
  users: Array<{ username: string; password: string }>;
  /** <client> entries: who may connect, with a per-client key and user list. */
  clients: Array<{ matches(address: string): boolean; sharedKey: string; users: string[] }>;
}

export interface ServerSession {
  nonce: Buffer;
  authSalt: Buffer;
}

export function newServerSession(): ServerSession {
  return { nonce: randomBytes(16), authSalt: randomBytes(16) };
}

export function helo(session: ServerSession, keepalive: boolean): unknown[] {
  return ['HELO', { nonce: session.nonce, auth: session.authSalt, keepalive }];
}

export type PingResult = { ok: true; pong: unknown[] } | { ok: false; reason: string; pong: unknown[] };

/** Checks a PING; the PONG to send either way (a refusal closes the connection after it). */
export function checkPing(security: ServerSecurity, session: ServerSession, message: unknown, address: string): PingResult {
  const refuse = (reason: string): PingResult => ({ ok: false, reason, pong: ['PONG', false, reason, '', ''] });
  if (!Array.isArray(message) || message.length !== 6 || message[0] !== 'PING') return refuse('invalid ping message');
  const [, hostname, salt, digest, username, passwordDigest] = message as unknown[];
  const host = text(hostname);
  const keySalt = text(salt);
  if (host === undefined || keySalt === undefined) return refuse('invalid ping message');
  const client = security.clients.find((c) => c.matches(address));
  if (!client && !security.allowAnonymousSource) return refuse(`anonymous source host '${address}' denied`);
  const sharedKey = client ? client.sharedKey : security.sharedKey;
  if (digest !== sha512hex(keySalt, host, session.nonce, sharedKey)) return refuse('shared_key mismatch');
  if (security.userAuth) {
    const user = String(text(username) ?? '');
    const candidates = security.users.filter((u) => u.username === user && (!client || client.users.length === 0 || client.users.includes(u.username)));
    const ok = candidates.some((u) => sha512hex(session.authSalt, user, u.password) === passwordDigest);
    if (!ok) return refuse('username/password mismatch');
  }
  return { ok: true, pong: ['PONG', true, '', security.selfHostname, sha512hex(keySalt, security.selfHostname, session.nonce, sharedKey)] };
}

// ---- client side ------------------------------------------------------------------------------------------------

export interface ClientSecurity {
  selfHostname: string;
  sharedKey: string;
  username: string;
  password: string;
}

export class HandshakeError extends Error {}

export class ClientHandshake {
  private readonly salt = randomBytes(16).toString('hex');
  private nonce: string | Buffer = '';

  constructor(private readonly security: ClientSecurity) {}

  /** The PING answering a HELO. */
  ping(message: unknown): unknown[] {
    if (!Array.isArray(message) || message.length !== 2 || message[0] !== 'HELO') throw new HandshakeError('received invalid helo message');
    const opts = (message[1] ?? {}) as Record<string, unknown>;
    this.nonce = text(opts.nonce) ?? '';
    const auth = text(opts.auth) ?? '';
    const { selfHostname, sharedKey, username, password } = this.security;
    const ping: unknown[] = ['PING', selfHostname, this.salt, sha512hex(this.salt, selfHostname, this.nonce, sharedKey)];
    if (auth.length > 0) ping.push(username, sha512hex(auth, username, password));
    else ping.push('', '');
    return ping;
  }

  /** Verifies the PONG; throws HandshakeError with Fluentd's reason when the server refused or is not who it says. */
  checkPong(message: unknown): void {
    if (!Array.isArray(message) || message.length !== 5 || message[0] !== 'PONG') throw new HandshakeError('invalid format for PONG message');
    const [, result, reason, hostname, digest] = message as unknown[];
    if (result !== true) throw new HandshakeError(`authentication failed: ${String(text(reason) ?? '')}`);
    const host = text(hostname) ?? '';
    if (String(host) === this.security.selfHostname) throw new HandshakeError('same hostname between input and output: invalid configuration');
    if (digest !== sha512hex(this.salt, host, this.nonce, this.security.sharedKey)) throw new HandshakeError('shared key mismatch');
  }
}
