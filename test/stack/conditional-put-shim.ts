import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimitedList } from './delimited-list.js';

/**
 * A proxy in front of s3rver that makes it answer as S3 does where the bot depends on it. Conditional writes: a PUT with `If-None-Match: *` on a key that
 * exists answers 412 PreconditionFailed, as S3 does (s3rver 3.7.1 ignores the header and overwrites); conditional
 * PUTs to one key are serialised, so two racing writers get one 200 and one 412, never two 200s. Listings with a
 * delimiter are answered by `delimitedList` (s3rver drops prefixes whose objects sit deeper than one level).
 */
export async function startConditionalPutShim(target: { host: string; port: number }): Promise<{
  port: number;
  close(): Promise<void>;
}> {
  const locks = new Map<string, Promise<void>>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://shim');
    const bucket = url.pathname.split('/')[1] ?? '';
    if (
      req.method === 'GET' &&
      url.searchParams.get('list-type') === '2' &&
      url.searchParams.has('delimiter')
    ) {
      req.resume();
      delimitedList(target, bucket, url.searchParams).then(
        (xml) => {
          res.writeHead(200, { 'content-type': 'application/xml' });
          res.end(xml);
        },
        (e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
      return;
    }
    const conditional = req.method === 'PUT' && req.headers['if-none-match'] === '*';
    if (!conditional) return forward(req, res);
    const path = (req.url ?? '/').split('?')[0] as string;
    const previous = locks.get(path) ?? Promise.resolve();
    const current = previous.then(async () => {
      if (await exists(path)) {
        req.resume();
        res.writeHead(412, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
            '<Message>At least one of the pre-conditions you specified did not hold</Message>' +
            '<Condition>If-None-Match</Condition></Error>',
        );
        return;
      }
      await new Promise<void>((resolve) => {
        res.on('close', resolve);
        forward(req, res);
      });
    });
    locks.set(
      path,
      current.catch(() => undefined),
    );
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const upstream = http.request(
      { host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      res.destroy(e);
    });
    req.pipe(upstream);
  }

  function exists(path: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const head = http.request({ host: target.host, port: target.port, method: 'HEAD', path }, (r) => {
        r.resume();
        resolve(r.statusCode === 200);
      });
      head.on('error', reject);
      head.end();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
