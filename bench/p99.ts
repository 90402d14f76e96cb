/**
 * p99 latency of a route against a trivial route under the same concurrent load (autocannon), for
 * the API benchmarks: a warm-up of each, then alternating measured rounds so a burst of load from
 * elsewhere on the machine does not land on one side only; the median p99 per route counts.
 */
import autocannon from 'autocannon'

export interface P99Options {
  /** The route measured, or several cycled through by every connection. */
  url: string
  paths?: string[]
  /** The baseline route (e.g. /healthz) on the same server. */
  trivialUrl: string
  headers: Record<string, string>
  connections: number
  seconds: number
  rounds: number
}

export interface P99Result {
  p99: number
  trivialP99: number
  ratio: number
  runs: { route: autocannon.Result[]; trivial: autocannon.Result[] }
  /** Mean requests per second on the route and on the trivial route. */
  rps: { route: number; trivial: number }
}

// The load generator runs in a worker thread, so it does not share the event loop of the server it
// measures (both live in this process).
function cannon(url: string, o: P99Options, seconds: number, paths?: string[]) {
  return autocannon({
    url,
    connections: o.connections,
    duration: seconds,
    headers: o.headers,
    workers: 1,
    ...(paths ? { requests: paths.map((path) => ({ method: 'GET' as const, path })) } : {}),
  })
}

export async function measureP99(o: P99Options): Promise<P99Result> {
  await cannon(o.url, o, 1, o.paths)
  await cannon(o.trivialUrl, o, 1)
  const runs = { route: [] as autocannon.Result[], trivial: [] as autocannon.Result[] }
  for (let round = 0; round < o.rounds; round++) {
    runs.trivial.push(await cannon(o.trivialUrl, o, o.seconds))
    runs.route.push(await cannon(o.url, o, o.seconds, o.paths))
  }
  const bad = [...runs.route, ...runs.trivial].reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0)
  if (bad > 0) throw new Error(`latency benchmark saw ${bad} failed requests`)
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!
  const p99 = median(runs.route.map((r) => r.latency.p99))
  const trivialP99 = median(runs.trivial.map((r) => r.latency.p99))
  const rps = (rs: autocannon.Result[]) => Math.round(mean(rs.map((r) => r.requests.average)))
  return {
    p99,
    trivialP99,
    ratio: p99 / Math.max(trivialP99, 1),
    runs,
    rps: { route: rps(runs.route), trivial: rps(runs.trivial) },
  }
}

/** "12/14/13 vs 4/5/4 ms": the p99 of every round, for a result's note. */
export function roundsNote(r: P99Result): string {
  return `${r.runs.route.map((x) => x.latency.p99).join('/')} vs ${r.runs.trivial.map((x) => x.latency.p99).join('/')} ms`
}
