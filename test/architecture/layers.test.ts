import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importEdges } from './import-graph.js';

const SRC = path.resolve('src');

/**
 * The layers of docs/architecture.md, top to bottom. A folder imports its own layer and the layers below it, never
 * one above: the domain never reaches for a command, an engine never for the audit that asks it.
 */
const LAYERS: { layer: string; folders: string[] }[] = [
  { layer: 'entries', folders: ['action', 'cli'] },
  { layer: 'commands', folders: ['commands'] },
  { layer: 'demo', folders: ['demo'] },
  { layer: 'domain', folders: ['report', 'fill', 'repair', 'github'] },
  { layer: 'audit', folders: ['audit'] },
  { layer: 'ports and adapters', folders: ['engine', 'catalog', 'checkpoint', 'source', 'lake', 'parquet'] },
  { layer: 'shared', folders: ['config', 'layout', 'util'] },
];

/** Folders of one layer that must not import each other: the two entries each call commands, not one another. */
const STRANGERS = [['action', 'cli']];

/**
 * What code outside the composition root may import from a port's folder: the port and its vocabulary, never an
 * adapter or an adapter's internals (`src/commands/` alone picks adapters; see ports.ts).
 */
const PORT_FILES: Record<string, string[]> = {
  lake: ['object-store.ts', 'lake-file.ts', 'lake-uri.ts'],
  engine: ['query-engine.ts'],
  catalog: ['catalog.ts', 'glue-shapes.ts', 'glue-types.ts'],
  checkpoint: ['checkpoint-store.ts'],
  source: ['cbbd-client.ts', 'api-records.ts'],
};

const rank = new Map(LAYERS.flatMap(({ folders }, i) => folders.map((f) => [f, i] as const)));
const layerOf = (folder: string) => LAYERS[rank.get(folder)!]!.layer;
const folderOf = (file: string) => file.split('/')[0]!;
const edges = importEdges(SRC)
  .filter((e) => e.to.includes('/') && !e.to.startsWith('@'))
  .map((e) => ({ ...e, fromFolder: folderOf(e.from), toFolder: folderOf(e.to) }))
  .filter((e) => e.fromFolder !== e.toFolder);
const where = (e: (typeof edges)[number]) => `src/${e.from}:${e.line} imports src/${e.to}`;

describe('the import graph of src/', () => {
  it('places every folder of src/ in exactly one layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...rank.keys()].sort());
    expect(rank.size).toBe(LAYERS.flatMap((l) => l.folders).length);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward = edges
      .filter((e) => rank.get(e.toFolder)! < rank.get(e.fromFolder)!)
      .map((e) => `${where(e)} (${layerOf(e.fromFolder)} → ${layerOf(e.toFolder)})`);
    expect(upward).toEqual([]);
  });

  it('has no import between the two entries', () => {
    const across = edges
      .filter((e) => STRANGERS.some((s) => s.includes(e.fromFolder) && s.includes(e.toFolder)))
      .map(where);
    expect(across).toEqual([]);
  });

  it('enters a port folder only through its port files, outside the composition root and the ports', () => {
    const portsRank = rank.get('engine')!;
    const inside = edges
      .filter((e) => e.fromFolder !== 'commands' && rank.get(e.fromFolder)! < portsRank)
      .filter(
        (e) => PORT_FILES[e.toFolder] && !PORT_FILES[e.toFolder]!.includes(e.to.slice(e.toFolder.length + 1)),
      )
      .map(where);
    expect(inside).toEqual([]);
  });

  it('sees the imports it judges (type-only and dynamic ones too)', () => {
    const seen = (from: string, to: string) => edges.some((e) => e.from === from && e.to === to);
    expect(seen('audit/run-audit.ts', 'engine/query-engine.ts')).toBe(true);
    expect(seen('engine/duckdb-engine.ts', 'lake/lake-file.ts')).toBe(true);
    expect(
      importEdges(SRC).some((e) => e.from === 'engine/duckdb-engine.ts' && e.to === '@duckdb/node-api'),
    ).toBe(true);
  });
});
