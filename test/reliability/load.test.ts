/**
 * Load (issue 11): many logged-in people at once against a real `tillid start` — each virtual user has
 * their own session (OIDC login through the dev IdP, CSRF token on writes) and loops over the reads their
 * role may make (agreements, cases, tasks, one agreement, one case, their own overview) with some writes
 * (case workers open cases and draft agreements on the ledger). A few probes per user ask for a CPR as a
 * case id, which must be refused with 4xx — and must not put the CPR into the server's log.
 * Asserts 0 errors (anything but 2xx, or 4xx for a probe); prints p50/p99 latency and throughput (no
 * timed assertions: speed is reported, not tested). Afterwards scan-chain and the log scan find nothing.
 *
 * Rate limiting is off for the run (TILLID_RATE_LIMIT=0): every virtual user comes from 127.0.0.1, which
 * the per-address limit would otherwise (rightly) throttle.
 *
 * Size: 50 users for 30 s in `npm test`, 200 users for 5 minutes with TILLID_RELIABILITY=full.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PREBEN_CPR, personas } from '../../src/identity/personas.ts'
import { scanLog } from './logScan.ts'
import { SEED, seededRandom, sizes } from './size.ts'
import { startTillid, type TillidProcess } from './tillidProcess.ts'
import { fakeCitizen, logIn, Session, writeRound } from './writeLoad.ts'

interface Sample {
  ms: number
  write: boolean
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN

async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < n; i += width)
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => fn(i + j)))))
  return out
}

describe('load: many logged-in people at once', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'tillid-load-'))
  const logFile = path.join(base, 'tillid.log')
  let proc: TillidProcess | undefined
  afterAll(async () => {
    await proc?.kill9().catch(() => {})
    rmSync(base, { recursive: true, force: true })
  })

  it(`${sizes.loadUsers} users for ${sizes.loadSeconds} s of mixed traffic: 0 errors`, async () => {
    const rand = seededRandom(SEED)
    proc = await startTillid({ dataDir: path.join(base, 'data'), logFile, env: { TILLID_RATE_LIMIT: '0' } })
    const url = proc.url

    // Something to read: a few cases with active agreements and reports.
    const people = await logIn(url)
    const seeded: Parameters<typeof writeRound>[2] = []
    for (let i = 0; i < 4; i++) await writeRound(people, rand, seeded)
    const caseId = seeded.find((a) => a.kind === 'case')!.id
    const agreementId = seeded.find((a) => a.kind === 'agreement')!.id

    // Which reads each role may make, found by asking once (a refusal is the matrix test's business).
    const candidates = [
      '/api/me',
      '/api/agreements',
      '/api/cases',
      '/api/tasks',
      `/api/agreements/${agreementId}`,
      `/api/cases/${caseId}`,
      '/api/citizen/overview',
    ]
    const logins = personas.map((p) => p.login).filter((l) => l !== 'admin')
    const reads = new Map<string, string[]>()
    for (const login of logins) {
      const s = await Session.open(url, login)
      const ok: string[] = []
      for (const c of candidates) {
        const res = await fetch(url + c, { headers: s.login.headers })
        await res.arrayBuffer()
        if (res.status === 200) ok.push(c)
      }
      reads.set(login, ok)
    }
    console.info(
      `reads per role: ${JSON.stringify(Object.fromEntries([...reads].map(([k, v]) => [k, v.length])))}`,
    )

    const loginStarted = Date.now()
    const users = await inBatches(sizes.loadUsers, 10, async (i) => {
      const login = logins[i % logins.length]!
      return { login, session: await Session.open(url, login) }
    })
    console.info(`${users.length} sessions opened in ${((Date.now() - loginStarted) / 1000).toFixed(1)} s`)

    const samples: Sample[] = []
    const errors: string[] = []
    let probes = 0
    const created: { cpr: string; name: string }[] = []
    const today = people.today
    const deadline = Date.now() + sizes.loadSeconds * 1000
    const started = Date.now()
    const timed = async (write: boolean, fn: () => Promise<Response>, expect4xx = false) => {
      const t0 = performance.now()
      let res: Response
      let body: string
      try {
        res = await fn()
        body = await res.text()
      } catch (e) {
        errors.push(`network: ${(e as Error).message}`)
        return null
      }
      samples.push({ ms: performance.now() - t0, write })
      const ok = expect4xx ? res.status >= 400 && res.status < 500 : res.ok
      if (!ok) errors.push(`${res.status} ${res.url} ${body.slice(0, 200)}`)
      return { ok: res.ok, body }
    }
    await Promise.all(
      users.map(async ({ login, session }, u) => {
        const mine = reads.get(login)!
        const headers = session.login.headers
        let myCase: string | null = null
        for (let n = 0; Date.now() < deadline; n++) {
          const r = rand(100)
          if (login === 'sara' && r < 10) {
            // A write: open a case (store + anchor), or draft an agreement on it (a ledger transaction).
            if (!myCase || r < 6) {
              const citizen = fakeCitizen(rand)
              created.push(citizen)
              const res = await timed(true, () =>
                fetch(`${url}/api/cases`, {
                  method: 'POST',
                  headers: { ...headers, 'content-type': 'application/json' },
                  body: JSON.stringify({
                    ...citizen,
                    kle: session.login.me.kle[0],
                    title: 'Belastning',
                  }),
                }),
              )
              if (res?.ok) myCase = JSON.parse(res.body).id ?? myCase
            } else {
              await timed(true, () =>
                fetch(`${url}/api/agreements`, {
                  method: 'POST',
                  headers: { ...headers, 'content-type': 'application/json' },
                  body: JSON.stringify({
                    caseId: myCase,
                    providerId: '31457823',
                    templateId: 'placement',
                    reportEveryMonths: 3,
                    graceDays: 14,
                    lines: [
                      {
                        name: 'Ophold',
                        priceOre: '250000',
                        unit: 'month',
                        schedule: { kind: 'monthly' },
                        start: today,
                        arrangedBy: 'provider',
                      },
                    ],
                  }),
                }),
              )
            }
          } else if (n % 50 === u % 50) {
            // A CPR where an id belongs: refused, and never logged.
            probes++
            await timed(false, () => fetch(`${url}/api/cases/${PREBEN_CPR}`, { headers }), true)
          } else {
            const path = mine[rand(mine.length)]!
            await timed(false, () => fetch(url + path, { headers }))
          }
        }
      }),
    )
    const seconds = (Date.now() - started) / 1000
    const all = samples.map((s) => s.ms).sort((a, b) => a - b)
    const writes = samples
      .filter((s) => s.write)
      .map((s) => s.ms)
      .sort((a, b) => a - b)
    const readsOnly = samples
      .filter((s) => !s.write)
      .map((s) => s.ms)
      .sort((a, b) => a - b)
    const f = (x: number) => x.toFixed(1)
    console.info(
      `load: ${users.length} users, ${seconds.toFixed(0)} s, ${samples.length} requests (${writes.length} writes, ${probes} CPR probes), ` +
        `${f(samples.length / seconds)} req/s; latency ms all p50 ${f(percentile(all, 50))} p99 ${f(percentile(all, 99))} max ${f(all.at(-1) ?? 0)}; ` +
        `reads p50 ${f(percentile(readsOnly, 50))} p99 ${f(percentile(readsOnly, 99))}; ` +
        `writes p50 ${f(percentile(writes, 50))} p99 ${f(percentile(writes, 99))}; errors ${errors.length}`,
    )
    expect(errors.slice(0, 20)).toEqual([])
    expect(samples.length).toBeGreaterThan(sizes.loadUsers)

    const revisor = await Session.open(url, 'revisor')
    const scan = await revisor.call('POST', '/api/integrity/scan-chain')
    expect(scan.findings).toEqual([])
    expect(await proc.stop()).toBe(0)
    proc = undefined

    const log = readFileSync(logFile, 'utf8')
    const citizens = [
      ...seeded.filter((a) => a.kind === 'case'),
      ...created,
      { cpr: PREBEN_CPR, name: 'Preben Jensen' },
    ]
    const found = scanLog(log, citizens)
    console.info(
      `scan-chain: ${scan.blocks} blocks, ${scan.findings.length} findings; log scan: ${log.split('\n').length} lines, ${found.length} findings`,
    )
    expect(found.slice(0, 10)).toEqual([])
  }, 3_600_000)
})
