// State shared by the panels and the page's wiring.

/** Each panel counts its loads; an answer that arrives after a newer load started is dropped. */
export const latest = { entries: 0, chart: 0, checkpoint: 0 };

/** The entries' keyset paging: the cursor of the page shown, the next page's, and its number. */
export const paging: { cursor: string | null; next: string | null; page: number } = { cursor: null, next: null, page: 1 };

/** Makes every load under way stale: whatever it answers is no longer shown. */
export function dropPendingLoads(): void {
  latest.entries++;
  latest.chart++;
  latest.checkpoint++;
}
