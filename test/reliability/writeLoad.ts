/**
 * A mixed write load through the HTTP API, as the scenario's people: Sara opens a case and drafts a small
 * agreement with Østervold, Sara and Ole sign it (it takes effect at once, below the approval threshold),
 * and Ole uploads a status report. Every request answered 2xx is recorded as acknowledged, with what the
 * API must show for it afterwards; checkAcknowledged proves each one is still there.
 */
import { createHash } from 'node:crypto'
import { isValidCpr, modulus11 } from '../../src/domain/cpr.ts'
import { type LoginResult, loginAs } from '../../src/identity/loginAs.ts'
import { OESTERVOLD } from '../../src/identity/personas.ts'

export type Ack =
  | { kind: 'case'; id: string; cpr: string; name: string }
  | { kind: 'agreement'; id: string; caseId: string }
  | { kind: 'sign'; id: string; party: 'municipality' | 'provider' }
  | { kind: 'report'; id: string; agreementId: string; sha256: string }

const FIRST = [
  'Asta',
  'Bertram',
  'Cecilie',
  'Dagmar',
  'Emil',
  'Frida',
  'Gustav',
  'Halfdan',
  'Ingeborg',
  'Johan',
]
const LAST = [
  'Kjærgaard',
  'Lindholm',
  'Mosegaard',
  'Nørreskov',
  'Overgaard',
  'Pilgaard',
  'Quist',
  'Rosendahl',
]

/** A valid (modulus-11) CPR of a child born 2010–2019, and a citizen name, from the test's random source. */
export function fakeCitizen(rand: (n: number) => number): { cpr: string; name: string } {
  for (;;) {
    const d = String(1 + rand(28)).padStart(2, '0')
    const m = String(1 + rand(12)).padStart(2, '0')
    const y = String(10 + rand(10))
    // 7th digit 4 puts years 00–36 in the 2000s.
    const cpr = `${d}${m}${y}4${String(rand(1000)).padStart(3, '0')}`
    if (modulus11(cpr) && isValidCpr(cpr))
      return { cpr, name: `${FIRST[rand(FIRST.length)]} ${LAST[rand(LAST.length)]}` }
  }
}

export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** One person's session on a running Tillid. */
export class Session {
  private constructor(
    readonly baseUrl: string,
    readonly login: LoginResult,
  ) {}
  static async open(baseUrl: string, persona: string): Promise<Session> {
    return new Session(baseUrl, await loginAs(baseUrl, persona))
  }
  // biome-ignore lint/suspicious/noExplicitAny: API answers of many shapes; callers read what they need
  async call(method: string, url: string, body?: unknown): Promise<any> {
    const res = await fetch(this.baseUrl + url, {
      method,
      headers: {
        ...this.login.headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new ApiError(res.status, `${method} ${url} → ${res.status} ${text.slice(0, 300)}`)
    return /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text
  }
}

export interface People {
  sara: Session
  ole: Session
  today: string
}

export async function logIn(baseUrl: string): Promise<People> {
  const [sara, ole] = await Promise.all([Session.open(baseUrl, 'sara'), Session.open(baseUrl, 'ole')])
  const today = (await sara.call('GET', '/api/ledger/time')).date as string
  return { sara, ole, today }
}

/** An agreement on its way through the write mix; the steps a kill interrupted are picked up after the restart. */
export interface Item {
  caseId: string
  agreementId?: string
  municipalitySigned: boolean
  providerSigned: boolean
  reported: boolean
  busy: boolean
}

/**
 * One step of the write mix: advance an unfinished item (draft → Sara signs → Ole signs → report) or open
 * a new case. Rethrows a failure (the server may be gone); what was acknowledged until then is in acks.
 */
export async function writeStep(
  p: People,
  rand: (n: number) => number,
  pool: Item[],
  acks: Ack[],
  /** The item to advance, or null for a new case; picked at random when absent. */
  which?: Item | null,
): Promise<void> {
  const open = pool.filter((i) => !i.busy && !i.reported)
  const item = which !== undefined ? which : open.length && rand(4) > 0 ? open[rand(open.length)]! : null
  if (!item) {
    const citizen = fakeCitizen(rand)
    const kase = await p.sara.call('POST', '/api/cases', {
      ...citizen,
      kle: p.sara.login.me.kle[0],
      title: 'Anbringelse uden for hjemmet',
    })
    acks.push({ kind: 'case', id: kase.id, ...citizen })
    pool.push({
      caseId: kase.id,
      municipalitySigned: false,
      providerSigned: false,
      reported: false,
      busy: false,
    })
    return
  }
  item.busy = true
  try {
    if (!item.agreementId) {
      const draft = await p.sara.call('POST', '/api/agreements', {
        caseId: item.caseId,
        providerId: OESTERVOLD.code,
        templateId: 'placement',
        reportEveryMonths: 1,
        graceDays: 14,
        // Small enough to need no approval, starting today so one report is due at once.
        lines: [
          {
            name: 'Ophold',
            priceOre: String(100_000 + rand(100_000)),
            unit: 'month',
            schedule: { kind: 'monthly' },
            start: p.today,
            arrangedBy: 'provider',
          },
        ],
      })
      item.agreementId = draft.id
      acks.push({ kind: 'agreement', id: draft.id, caseId: item.caseId })
    } else if (!item.municipalitySigned) {
      await p.sara.call('POST', `/api/agreements/${item.agreementId}/sign`, { version: 1 })
      item.municipalitySigned = true
      acks.push({ kind: 'sign', id: item.agreementId, party: 'municipality' })
    } else if (!item.providerSigned) {
      await p.ole.call('POST', `/api/agreements/${item.agreementId}/sign`, { version: 1 })
      item.providerSigned = true
      acks.push({ kind: 'sign', id: item.agreementId, party: 'provider' })
    } else {
      const text = `Statusrapport ${item.agreementId} ${rand(1_000_000)}`
      const report = await p.ole.call('POST', `/api/agreements/${item.agreementId}/reports`, {
        filename: `statusrapport-${rand(1000)}.txt`,
        contentBase64: Buffer.from(text).toString('base64'),
      })
      item.reported = true
      acks.push({
        kind: 'report',
        id: report.id,
        agreementId: item.agreementId,
        sha256: sha256(Buffer.from(text)),
      })
    }
  } finally {
    item.busy = false
  }
}

/**
 * After a restart: a step whose answer the kill swallowed may have happened all the same, so each
 * unfinished item is set to what the API says now (only acknowledged steps count as acknowledged).
 */
export async function reconcile(p: People, pool: Item[]): Promise<void> {
  for (const item of pool) {
    if (!item.agreementId || item.reported) continue
    const a = await p.sara.call('GET', `/api/agreements/${item.agreementId}`)
    item.municipalitySigned = !!a.versions[0]?.municipalitySigned
    item.providerSigned = !!a.versions[0]?.providerSigned
    item.reported = a.reports.length > 0
  }
}

/** A whole item at once: case, agreement, both signatures and a report. */
export async function writeRound(p: People, rand: (n: number) => number, acks: Ack[]): Promise<void> {
  const pool: Item[] = []
  await writeStep(p, rand, pool, acks, null)
  while (!pool[0]!.reported) await writeStep(p, rand, pool, acks, pool[0])
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** Every acknowledged write as the API shows it now; returns what is missing or different. */
export async function checkAcknowledged(p: People, acks: readonly Ack[]): Promise<string[]> {
  const missing: string[] = []
  const agreements = new Map<
    string,
    { versions: { municipalitySigned: boolean; providerSigned: boolean }[] }
  >()
  const agreement = async (id: string) => {
    let a = agreements.get(id)
    if (!a) {
      a = await p.sara.call('GET', `/api/agreements/${id}`)
      agreements.set(id, a!)
    }
    return a!
  }
  for (const ack of acks) {
    try {
      switch (ack.kind) {
        case 'case': {
          const c = await p.sara.call('GET', `/api/cases/${ack.id}`)
          if (c.citizen?.cpr !== ack.cpr || c.citizen?.name !== ack.name)
            missing.push(`case ${ack.id}: citizen differs`)
          break
        }
        case 'agreement': {
          const a = (await agreement(ack.id)) as unknown as { caseId: string }
          if (a.caseId !== ack.caseId) missing.push(`agreement ${ack.id}: case differs`)
          break
        }
        case 'sign': {
          const v = (await agreement(ack.id)).versions[0]!
          if (!(ack.party === 'municipality' ? v.municipalitySigned : v.providerSigned))
            missing.push(`agreement ${ack.id}: ${ack.party} signature missing`)
          break
        }
        case 'report': {
          const res = await fetch(`${p.sara.baseUrl}/api/documents/${ack.id}`, {
            headers: p.sara.login.headers,
          })
          const bytes = new Uint8Array(await res.arrayBuffer())
          if (res.status !== 200 || sha256(bytes) !== ack.sha256)
            missing.push(`report ${ack.id}: ${res.status}`)
          break
        }
      }
    } catch (e) {
      missing.push(`${ack.kind} ${ack.id}: ${(e as Error).message}`)
    }
  }
  return missing
}
