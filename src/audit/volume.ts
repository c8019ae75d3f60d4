/**
 * The pipeline's volume rule: a season is an anomaly when its rows are fewer than `ratio` (0.5) times the mean of
 * its neighbouring seasons (the previous and next season with data). Seasons with no rows are never flagged
 * themselves (they are missing seasons) and never count as neighbours.
 */
export function volumeAnomalies(
  rowsBySeason: ReadonlyMap<number, number>,
  ratio: number,
): { season: number; rows: number; neighbourMean: number }[] {
  const seasons = [...rowsBySeason.keys()].sort((a, b) => a - b);
  const out: { season: number; rows: number; neighbourMean: number }[] = [];
  seasons.forEach((season, i) => {
    const rows = rowsBySeason.get(season) ?? 0;
    if (rows === 0) return;
    const neighbours = [seasons[i - 1], seasons[i + 1]]
      .filter((s): s is number => s !== undefined)
      .map((s) => rowsBySeason.get(s) ?? 0)
      .filter((n) => n > 0);
    if (neighbours.length === 0) return;
    const mean = neighbours.reduce((a, b) => a + b, 0) / neighbours.length;
    if (rows < mean * ratio) out.push({ season, rows, neighbourMean: mean });
  });
  return out;
}

/** The last month (1-based) of a season's games: the tournament ends in early April. */
const LAST_MONTH = 4;
/** The first month (1-based) of a season's window (the pipeline's `seasons.window_start_month`). */
const FIRST_MONTH = 8;

/**
 * The season being played on `today`, or undefined between seasons (May to July). A season `S` runs from
 * August of `S - 1` (the pipeline's window) to the end of April of `S`; until then its rows are a part of a
 * season and comparing them with whole seasons raises an anomaly every autumn.
 */
export function seasonInProgress(today: Date): number | undefined {
  const month = today.getUTCMonth() + 1;
  const year = today.getUTCFullYear();
  if (month >= FIRST_MONTH) return year + 1;
  if (month <= LAST_MONTH) return year;
  return undefined;
}
