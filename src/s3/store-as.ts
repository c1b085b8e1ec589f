/** store_as: the object's extension, its Content-Type and whether the body is gzipped, as out_s3's compressors set them. */
export interface StoreAs {
  ext: string;
  contentType: string;
  gzip: boolean;
}

const STORE_AS: Record<string, StoreAs> = {
  gzip: { ext: 'gz', contentType: 'application/x-gzip', gzip: true },
  json: { ext: 'json', contentType: 'application/json', gzip: false },
  text: { ext: 'txt', contentType: 'text/plain', gzip: false },
};

// fluent-plugin-s3's other compressors shell out to external programs or native gems; they are refused rather than
// silently replaced by text (which is what the plugin does for a name it cannot load).
const NOT_IMPLEMENTED: Record<string, string> = {
  lzo: 'needs the lzop program', lzma2: 'needs the xz program', gzip_command: 'use store_as gzip (node:zlib, same format)',
  zstd: 'not implemented', zst: 'not implemented', lz4: 'not implemented', parquet: 'needs columnify and a schema',
};

export function storeAs(name: string): StoreAs {
  const found = STORE_AS[name];
  if (found) return found;
  const why = NOT_IMPLEMENTED[name];
  throw new Error(why ? `store_as ${name} is not supported by logferry (${why}); supported: gzip, json, text` : `store_as ${name} is unknown; supported: gzip, json, text`);
}
