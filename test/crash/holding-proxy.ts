import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forwardTo } from '../faults/fault-proxy.js';

/** Which request to hold: the `nth` one (1-based) that `matches`, counted since the last `arm`. */
export interface HoldRule {
  matches: (req: http.IncomingMessage) => boolean;
  nth: number;
}

/**
 * A pass-through proxy that can hold one chosen request forever and say so: the test then SIGKILLs the process
 * that sent it, so the crash lands exactly there (between two layers of a game, or between the silver write and
 * the checkpoint). Held requests are never forwarded; everything else is, byte for byte (SigV4 survives).
 */
export async function startHoldingProxy(target: string): Promise<{
  url: string;
  arm(rule: HoldRule | undefined, onHold: () => void): void;
  close(): Promise<void>;
}> {
  const upstream = new URL(target);
  let rule: HoldRule | undefined;
  let seen = 0;
  let onHold: () => void = () => undefined;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    if (rule && rule.matches(req) && ++seen === rule.nth) {
      held.add(res);
      req.resume();
      onHold();
      return;
    }
    forwardTo(upstream, req, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arm(next, callback) {
      rule = next;
      seen = 0;
      onHold = callback;
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
