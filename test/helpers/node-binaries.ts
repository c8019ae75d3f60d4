import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Node 24 from the `node` npm package (what GitHub runs `runs.using: node24` with). */
export const NODE24 = path.resolve('node_modules/node/bin/node');

/**
 * The machine's own Node (20 here): npm sets `npm_node_execpath` to the node that runs npm itself, while the
 * `node` devDependency puts Node 24 first on the scripts' PATH.
 */
export const MACHINE_NODE = process.env.npm_node_execpath ?? process.execPath;

/** The major version of a node binary. */
export function nodeMajor(binary: string): number {
  return Number(
    execFileSync(binary, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim(),
  );
}
