/**
 * `tillid report --quarter 2026Q2 --out DIR`: the quarterly reports from the store in one call
 * (load the quarter's rows, then build national.pdf and the 98 municipal reports with CSV/JSON).
 */
import {
  type BuildReportsOptions,
  type BuildReportsResult,
  buildQuarterlyReports,
} from '../../reports/pdf/buildQuarterlyReports.ts'
import { isQuarter } from '../../reports/quarter.ts'
import type { Db } from '../../store/database.ts'
import { loadRollout } from './loadRollout.ts'

export async function buildQuarterlyReportsFromStore(
  db: Db,
  options: Omit<BuildReportsOptions, 'rows'>,
): Promise<BuildReportsResult> {
  if (!isQuarter(options.quarter))
    throw new RangeError(`not a quarter: ${options.quarter} (expected e.g. 2026Q2)`)
  const rows = await loadRollout(db, options.quarter)
  return buildQuarterlyReports({ ...options, rows })
}
