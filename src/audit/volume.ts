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
