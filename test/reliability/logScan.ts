/**
 * The log half of the personal-data check: every line a running Tillid wrote, scanned with the domain's
 * personal-data scanner (CPR numbers, the citizens' names) and searched for the exact CPRs and names the
 * test itself sent, so a log line quoting a request body cannot slip past a low-confidence rule.
 */
import { scanForPersonalData } from '../../src/domain/personalData.ts'

export interface LogFinding {
  line: number
  kind: string
  why: string
}

export function scanLog(text: string, citizens: readonly { cpr: string; name: string }[]): LogFinding[] {
  const names = [...new Set(citizens.map((c) => c.name))]
  const exact = citizens.flatMap((c) => [c.cpr, `${c.cpr.slice(0, 6)}-${c.cpr.slice(6)}`, c.name])
  const out: LogFinding[] = []
  text.split('\n').forEach((line, i) => {
    if (!line) return
    for (const f of scanForPersonalData(line, { names, freeText: false }))
      if (f.kind === 'cpr' || f.kind === 'name')
        out.push({ line: i + 1, kind: f.kind, why: `${f.reason}: ${f.masked}` })
    for (const value of exact)
      if (line.includes(value))
        out.push({ line: i + 1, kind: 'exact', why: `a value the test sent (${value.length} chars)` })
  })
  return out
}
