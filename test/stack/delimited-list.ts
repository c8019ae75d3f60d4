import http from 'node:http';

/**
 * S3's ListObjectsV2 with a delimiter, computed from s3rver's plain listing. s3rver 3.7.1 prunes directories
 * below a common prefix before it sees their objects, so `silver/` with delimiter `/` misses every table whose
 * files sit two or more levels down (all of them, in a hive layout). This pages through s3rver without the
 * delimiter and rolls keys up into CommonPrefixes the way S3 does, max-keys counting keys and prefixes together.
 */
export async function delimitedList(
  target: { host: string; port: number },
  bucket: string,
  query: URLSearchParams,
): Promise<string> {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '/';
  const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? 1000));
  const token = query.get('continuation-token');
  let startAfter = token
    ? Buffer.from(token, 'base64url').toString('utf8')
    : (query.get('start-after') ?? '');

  const contents: string[] = [];
  const prefixes: string[] = [];
  let lastEntry = '';
  let truncated = false;
  let upstreamToken: string | undefined;
  outer: for (;;) {
    const q = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': '1000' });
    if (upstreamToken) q.set('continuation-token', upstreamToken);
    else if (startAfter) q.set('start-after', startAfter);
    const xml = await get(target, `/${bucket}?${q}`);
    for (const block of xml.match(/<Contents>[\s\S]*?<\/Contents>/g) ?? []) {
      const key = decode(tag(block, 'Key'));
      const rest = key.slice(prefix.length);
      const idx = rest.indexOf(delimiter);
      const entry = idx === -1 ? key : key.slice(0, prefix.length + idx + delimiter.length);
      if (entry === lastEntry) continue;
      if (contents.length + prefixes.length === maxKeys) {
        truncated = true;
        break outer;
      }
      lastEntry = entry;
      if (idx === -1) contents.push(block);
      else prefixes.push(entry);
    }
    upstreamToken = tag(xml, 'NextContinuationToken') || undefined;
    if (tag(xml, 'IsTruncated') !== 'true' || !upstreamToken) break;
    startAfter = '';
  }
  const next = truncated ? Buffer.from(resumeAfter(lastEntry, delimiter), 'utf8').toString('base64url') : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${encode(bucket)}</Name>` +
    `<Prefix>${encode(prefix)}</Prefix><Delimiter>${encode(delimiter)}</Delimiter>` +
    `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${contents.length + prefixes.length}</KeyCount>` +
    `<IsTruncated>${truncated}</IsTruncated>` +
    (token ? `<ContinuationToken>${encode(token)}</ContinuationToken>` : '') +
    (next ? `<NextContinuationToken>${next}</NextContinuationToken>` : '') +
    contents.join('') +
    prefixes.map((p) => `<CommonPrefixes><Prefix>${encode(p)}</Prefix></CommonPrefixes>`).join('') +
    '</ListBucketResult>'
  );
}

/** The next page starts after every key of a rolled-up prefix, or after the last key. */
function resumeAfter(entry: string, delimiter: string): string {
  return entry.endsWith(delimiter) ? `${entry}\uffff` : entry;
}

function tag(xml: string, name: string): string {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? '';
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
};
function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (m) => ENTITIES[m] as string);
}
function encode(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`,
  );
}

function get(target: { host: string; port: number }, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: target.host, port: target.port, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`s3rver listing ${path}: ${res.statusCode} ${body}`));
          else resolve(body);
        });
      })
      .on('error', reject);
  });
}
