import { readFileSync } from 'node:fs';
import { rootCertificates, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { p, z } from '../plugin-api/index.ts';

/** Fluentd's TLS version names (Fluent::TLS::SUPPORTED_VERSIONS) and what node:tls calls them. */
const VERSIONS = ['TLSv1_1', 'TLSv1_2', 'TLSv1_3', 'TLS1_1', 'TLS1_2', 'TLS1_3'] as const;
type FluentVersion = (typeof VERSIONS)[number];
const NODE_VERSION: Record<FluentVersion, 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  TLSv1_1: 'TLSv1.1', TLS1_1: 'TLSv1.1', TLSv1_2: 'TLSv1.2', TLS1_2: 'TLSv1.2', TLSv1_3: 'TLSv1.3', TLS1_3: 'TLSv1.3',
};
/** Fluent::TLS::CIPHERS_DEFAULT */
export const CIPHERS_DEFAULT = 'ALL:!aNULL:!eNULL:!SSLv2';

export const tlsVersion = () => p.enum(VERSIONS);

/** Fluentd's set_version_to_context: min and max go together; without them `version` is both. */
export function versionRange(version: FluentVersion, min: FluentVersion | undefined, max: FluentVersion | undefined): { minVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' } {
  if (min === undefined && max !== undefined) throw new Error('When you set max_version, must set min_version together');
  if (min !== undefined && max === undefined) throw new Error('When you set min_version, must set max_version together');
  return { minVersion: NODE_VERSION[min ?? version], maxVersion: NODE_VERSION[max ?? version] };
}

const unsupportedGeneration = 'logferry does not generate certificates; give cert_path and private_key_path';

/** The server helper's <transport> section (server.rb ServerTransportParams), as in_forward reads it. */
export const serverTransportParams = z.object({
  linger_timeout: p.integer().default(0).describe('0: close connections with RST (no TIME_WAIT at the client); N: close with FIN, destroyed N s later if unanswered.'),
  receive_buffer_size: p.unsupported('Node cannot set SO_RCVBUF on accepted sockets'),
  version: tlsVersion().default('TLSv1_2').describe('TLS version used when min_version/max_version are not set.'),
  min_version: tlsVersion().optional().describe('Lowest TLS version (with max_version).'),
  max_version: tlsVersion().optional().describe('Highest TLS version (with min_version).'),
  ciphers: p.string().default(CIPHERS_DEFAULT).describe('OpenSSL cipher list.'),
  insecure: p.bool().default(false).describe('Use OpenSSL\'s defaults instead of `ciphers`.'),
  ensure_fips: p.unsupported('FIPS mode is a property of the Node build'),
  ca_path: p.string().optional().describe('CA certificate(s) that client certificates must chain to (client_cert_auth).'),
  cert_path: p.string().optional().describe('Server certificate (PEM; further certificates in the file are the chain).'),
  private_key_path: p.string().optional().describe('Private key of cert_path (PEM).'),
  private_key_passphrase: p.secret().optional().describe('Passphrase of an encrypted private key.'),
  client_cert_auth: p.bool().default(false).describe('Require a client certificate signed by ca_path.'),
  ca_cert_path: p.unsupported(unsupportedGeneration),
  ca_private_key_path: p.unsupported(unsupportedGeneration),
  ca_private_key_passphrase: p.unsupported(unsupportedGeneration),
  cert_verifier: p.unsupported('it is Ruby code'),
  generate_private_key_length: p.unsupported(unsupportedGeneration),
  generate_cert_country: p.unsupported(unsupportedGeneration),
  generate_cert_state: p.unsupported(unsupportedGeneration),
  generate_cert_locality: p.unsupported(unsupportedGeneration),
  generate_cert_common_name: p.unsupported(unsupportedGeneration),
  generate_cert_expiration: p.unsupported(unsupportedGeneration),
  generate_cert_digest: p.unsupported(unsupportedGeneration),
});
export type ServerTransport = z.output<typeof serverTransportParams>;

/** node:tls server options for <transport tls>; throws an Error naming the parameter that is wrong. */
export function serverTlsOptions(t: ServerTransport): TlsOptions {
  if (t.cert_path === undefined) throw new Error(`cert_path is required with <transport tls>: ${unsupportedGeneration}`);
  if (t.private_key_path === undefined) throw new Error('private_key_path is required when cert_path is specified');
  if (t.client_cert_auth && t.ca_path === undefined) throw new Error('client_cert_auth needs ca_path, the CA that client certificates must chain to');
  return {
    cert: readPem(t.cert_path, 'cert_path'),
    key: readPem(t.private_key_path, 'private_key_path'),
    passphrase: t.private_key_passphrase,
    ca: t.ca_path === undefined ? undefined : readPem(t.ca_path, 'ca_path'),
    requestCert: t.client_cert_auth,
    rejectUnauthorized: t.client_cert_auth,
    ciphers: t.insecure ? undefined : t.ciphers,
    ...versionRange(t.version, t.min_version, t.max_version),
  };
}

export interface ClientTlsParams {
  tls_version: FluentVersion;
  tls_ciphers: string;
  tls_insecure_mode: boolean;
  tls_allow_self_signed_cert: boolean;
  tls_verify_hostname: boolean;
  tls_ca_cert_path?: string[] | undefined;
  tls_cert_path?: string[] | undefined;
  tls_client_cert_path?: string | undefined;
  tls_client_private_key_path?: string | undefined;
  tls_client_private_key_passphrase?: string | undefined;
}

export interface ClientTls {
  options: ConnectionOptions;
  /** Accept a certificate that signs itself (tls_allow_self_signed_cert): checked after the handshake. */
  allowSelfSigned: boolean;
  /** Skip every check (tls_insecure_mode). */
  insecure: boolean;
}

/**
 * node:tls connect options for out_forward's `transport tls` (socket.rb socket_create_tls). Certificates in
 * tls_ca_cert_path (or tls_cert_path, Fluentd's older name for the same) are trusted besides the system's.
 */
export function clientTls(t: ClientTlsParams): ClientTls {
  const caPaths = t.tls_cert_path?.length ? t.tls_cert_path : t.tls_ca_cert_path;
  const insecure = t.tls_insecure_mode;
  const extra = (caPaths ?? []).map((file) => readPem(file, 'tls_ca_cert_path'));
  const verifyHostname = !insecure && t.tls_verify_hostname;
  const allowSelfSigned = insecure || t.tls_allow_self_signed_cert;
  return {
    options: {
      ca: extra.length > 0 ? [...rootCertificates, ...extra] : undefined,
      cert: t.tls_client_cert_path === undefined ? undefined : readPem(t.tls_client_cert_path, 'tls_client_cert_path'),
      key: t.tls_client_private_key_path === undefined ? undefined : readPem(t.tls_client_private_key_path, 'tls_client_private_key_path'),
      passphrase: t.tls_client_private_key_passphrase,
      ciphers: insecure ? undefined : t.tls_ciphers,
      // Self-signed and insecure certificates are judged after the handshake (see allowSelfSigned).
      rejectUnauthorized: !allowSelfSigned,
      ...(verifyHostname ? {} : { checkServerIdentity: () => undefined }),
      ...versionRange(t.tls_version, undefined, undefined),
    },
    allowSelfSigned,
    insecure,
  };
}

function readPem(file: string, param: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${param}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
