import type { Config } from '../config/schema.js';
import type { ObjectStore } from '../lake/object-store.js';
import { layoutFrom } from '../layout/keys.js';
import { UsageError } from '../util/errors.js';

/** Prefixes shown of a listing in the message, at most. */
const SHOWN = 8;

/**
 * Refuses a lake that is not there: no table under `silver/`, or no parent table (`fct_games`) there. A wrong
 * bucket, prefix or directory would otherwise be audited as an empty lake — 22 tables of "no data", 0 games to
 * fill, an issue for each — so it is a usage error (exit 2) that names the URI and what the listing found. Costs
 * one delimited listing of `silver/` (and one of the lake's top level when that is empty).
 */
export async function requireLake(store: ObjectStore, config: Config): Promise<void> {
  const silver = `${layoutFrom(config.s3_layout).silver}/`;
  const { prefixes } = await store.listChildren(silver);
  const tables = prefixes.map((p) => p.slice(silver.length).replace(/\/$/, ''));
  if (tables.length === 0) {
    const top = await store.listChildren('');
    const found = [...top.prefixes, ...top.objects.map((o) => o.key)];
    throw new UsageError(
      `--lake ${store.uri}: no objects under ${silver}; listed ${store.uri}/${silver}: nothing, and the lake's top level: ${
        found.length === 0 ? 'nothing' : shown(found)
      }. Check the bucket, prefix or directory (the lake's root holds silver/, bronze/, raw/)`,
    );
  }
  const parents = requiredTables(config);
  const absent = parents.filter((t) => !tables.includes(t));
  if (absent.length > 0) {
    throw new UsageError(
      `--lake ${store.uri}: no objects under ${absent.map((t) => `${silver}${t}/`).join(', ')}; listed ${store.uri}/${silver}: ${shown(
        tables.map((t) => `${t}/`),
      )}. Without ${absent.join(', ')} no game can be checked; check the lake URI`,
    );
  }
}

/** The parent tables of the configured child tables (`fct_games` by default): without them nothing can be checked. */
function requiredTables(config: Config): string[] {
  const parents = Object.values(config.audit.tables).flatMap((t) => (t.parent ? [t.parent] : []));
  return [...new Set(parents)].sort();
}

function shown(items: string[]): string {
  return items.length <= SHOWN
    ? items.join(', ')
    : `${items.slice(0, SHOWN).join(', ')}, +${items.length - SHOWN} more`;
}
