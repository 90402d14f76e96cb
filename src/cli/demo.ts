/**
 * `tillid demo`: the acceptance scenario (shared/docs/scenario-preben.md, steps 1–14, 16, 17) run
 * through the HTTP API as the people it names, each logged in through the IdP like a browser. The
 * ledger clock is moved forward between steps. Prints a table of steps and outcomes, or JSON.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../config.ts'
import { MOR_CPR, OESTERVOLD, PREBEN_CPR, SAMVAERSKONSULENTERNE } from '../identity/personas.ts'
import { createLogger } from '../logger.ts'
import { contactLines, placementLines, schoolSupportLines } from '../services/demo/scenarioRequests.ts'
import { ApiClient } from './apiClient.ts'
import { serve } from './serve.ts'

export interface DemoOptions {
  fresh?: boolean
  url?: string
  json?: boolean
  out?: string
}

export interface DemoStep {
  step: number
  date: string
  actor: string
  action: string
  outcome: string
}
export interface DemoPayment {
  period: string
  payee: string
  amountOre: number
  status: 'approved' | 'withheld' | 'released' | 'paid'
}
export interface DemoInvoice {
  period: string
  payee: string
  amountOre: number
  status: 'accepted' | 'deviation'
}
export interface DemoResult {
  steps: DemoStep[]
  payments: DemoPayment[]
  invoices: DemoInvoice[]
  paymentFiles: string[]
}

export class DemoError extends Error {
  override name = 'DemoError'
}

type Json = any

const kr = (ore: string | number | bigint) =>
  `${(Number(ore) / 100).toLocaleString('da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} kr`

const payeeName = (cvr: string) =>
  cvr === OESTERVOLD.code
    ? OESTERVOLD.name
    : cvr === SAMVAERSKONSULENTERNE.code
      ? SAMVAERSKONSULENTERNE.name
      : cvr

export async function runDemo(baseUrl: string, outDir: string, log: (s: DemoStep) => void = () => {}) {
  const api = new ApiClient(baseUrl)
  const result: DemoResult = { steps: [], payments: [], invoices: [], paymentFiles: [] }
  let today = ''
  const step = (n: number, actor: string, action: string, outcome: string) => {
    const s = { step: n, date: today, actor, action, outcome }
    result.steps.push(s)
    log(s)
  }
  const moveTo = async (date: string) => {
    const now = await api.call('admin', 'GET', '/api/ledger/time')
    if (now.date > date) {
      throw new DemoError(
        `the ledger is already at ${now.date}, after the scenario's ${date}: run the demo on a fresh instance (--fresh)`,
      )
    }
    if (now.date < date) await api.call('admin', 'POST', '/api/ledger/time', { date })
    today = date
  }
  const agreement = (id: string) => api.call('sara', 'GET', `/api/agreements/${id}`)
  const stateOf = async (id: string) => (await agreement(id)).state as string
  const runMonth = async (period: string) => {
    const run = await api.call('finn', 'POST', '/api/payment-runs', { period })
    // A month evaluated at 0 kr (an hourly line with no invoice) is on the ledger but pays nothing.
    for (const p of (run.payments as Json[]).filter((p) => BigInt(p.amountOre) > 0n)) {
      result.payments.push({
        period: p.period,
        payee: p.payee.name ?? payeeName(p.payee.cvr),
        amountOre: Number(p.amountOre),
        status: p.status,
      })
    }
    return run
  }
  const exportMonth = async (period: string) => {
    const file = await api.call('finn', 'POST', `/api/payment-runs/${period}/pain001`).catch((err) => {
      if (/nothing_to_pay|ingen godkendte/.test(String(err))) return null
      throw err
    })
    if (!file) return null
    const xml = await api.call('finn', 'GET', file.download)
    const target = path.join(outDir, `pain001-${period}-${file.msgId}.xml`)
    writeFileSync(target, xml)
    result.paymentFiles.push(target)
    return file
  }

  // 1. Sara opens Preben's case and drafts the placement contract.
  await moveTo('2026-01-12')
  const kase = await api.call('sara', 'POST', '/api/cases', {
    cpr: PREBEN_CPR,
    name: 'Preben Jensen',
    kle: '27.24.00',
    title: 'Anbringelse uden for hjemmet',
    parentCpr: MOR_CPR,
  })
  const placement = await api.call('sara', 'POST', '/api/agreements', {
    caseId: kase.id,
    providerId: OESTERVOLD.code,
    templateId: 'placement',
    reportEveryMonths: 3,
    graceDays: 14,
    lines: placementLines,
  })
  step(
    1,
    'Sara',
    'opretter sagen og udkast til anbringelsesaftale med Østervold',
    `udkast ${short(placement.id)} (${await stateOf(placement.id)})`,
  )

  // 2. The related contact-supervision contract.
  const contact = await api.call('sara', 'POST', '/api/agreements', {
    caseId: kase.id,
    providerId: SAMVAERSKONSULENTERNE.code,
    templateId: 'contact-supervision',
    mainAgreementId: placement.id,
    reportEveryMonths: 3,
    graceDays: 14,
    lines: contactLines,
  })
  step(
    2,
    'Sara',
    'udkast til aftale om støttet samvær, knyttet til anbringelsen',
    `udkast ${short(contact.id)} knyttet til ${short(placement.id)}`,
  )

  // 3. Signatures.
  await moveTo('2026-01-14')
  await api.call('sara', 'POST', `/api/agreements/${placement.id}/sign`, { version: 1 })
  await api.call('ole', 'POST', `/api/agreements/${placement.id}/sign`, { version: 1 })
  await api.call('sara', 'POST', `/api/agreements/${contact.id}/sign`, { version: 1 })
  await api.call('sanne', 'POST', `/api/agreements/${contact.id}/sign`, { version: 1 })
  step(
    3,
    'Sara, Ole, Sanne',
    'underskriver begge aftaler',
    `anbringelse: ${await stateOf(placement.id)}; samvær: ${await stateOf(contact.id)}`,
  )

  // 4–5. Approvals.
  await moveTo('2026-01-15')
  await api.call('bo', 'POST', `/api/agreements/${placement.id}/approve`, { version: 1 })
  step(4, 'Bo', 'godkender (centerchef)', `anbringelse: ${await stateOf(placement.id)}`)
  await moveTo('2026-01-16')
  await api.call('lis', 'POST', `/api/agreements/${placement.id}/approve`, { version: 1 })
  step(
    5,
    'Lis',
    'godkender (centerchef)',
    `anbringelse: ${await stateOf(placement.id)}; samvær: ${await stateOf(contact.id)}`,
  )

  // 6. Amendment: school support.
  await moveTo('2026-03-01')
  const amendment = await api.call('sara', 'POST', `/api/agreements/${placement.id}/amendments`, {
    lines: schoolSupportLines,
  })
  // The response is the agreement; its newest version is the amendment to sign.
  const v2 = Number((amendment.versions as Json[]).at(-1)?.version ?? 2)
  await api.call('sara', 'POST', `/api/agreements/${placement.id}/sign`, { version: v2 })
  await api.call('ole', 'POST', `/api/agreements/${placement.id}/sign`, { version: v2 })
  const afterAmend = await agreement(placement.id)
  step(
    6,
    'Sara, Ole',
    'tillæg: ekstra skolestøtte 9.800 kr/md. 1/3–31/5',
    `version ${v2} gældende; ${afterAmend.versions?.length ?? '?'} versioner kan læses`,
  )

  // 7. February: invoice check and the monthly run.
  const wrong = await api.call('sanne', 'POST', `/api/agreements/${contact.id}/invoices`, {
    period: '2026-02',
    lineId: '0',
    quantity: 12,
  })
  const right = await api.call('sanne', 'POST', `/api/agreements/${contact.id}/invoices`, {
    period: '2026-02',
    lineId: '0',
    quantity: 8,
  })
  for (const inv of [wrong, right]) {
    result.invoices.push({
      period: '2026-02',
      payee: SAMVAERSKONSULENTERNE.name,
      amountOre: Number(inv.amountOre),
      status: inv.status,
    })
  }
  const feb = await runMonth('2026-02')
  const febFile = await exportMonth('2026-02')
  step(
    7,
    'Sanne, Finn',
    'faktura for samvær og månedskørsel for februar',
    `faktura 3 søndage ${kr(wrong.amountOre)}: ${wrong.status}; 2 søndage ${kr(right.amountOre)}: ${right.status}; ` +
      `${summarise(feb)}; betalingsfil ${febFile?.msgId ?? '—'}`,
  )

  // 8–9. Reports due, review due (the keeper's checks run when the clock moves).
  await moveTo('2026-05-01')
  step(8, 'Østervold, Samværskonsulenterne', 'statusrapporter forfalder', 'Østervold afleverer ikke')
  await moveTo('2026-05-15')
  const tasks = (await api.call('sara', 'GET', '/api/tasks')) as Json[]
  const review = (Array.isArray(tasks) ? tasks : ((tasks as Json).items ?? [])).find(
    (t: Json) => t.kind === 'review',
  )
  step(
    9,
    'Sara',
    'opfølgning på skolestøtten forfalder',
    review ? `opgave til Sara: ${review.title}` : 'ingen opgave',
  )

  // 10. Samværskonsulenterne reports.
  await moveTo('2026-05-20')
  await api.call('sanne', 'POST', `/api/agreements/${contact.id}/reports`, {
    filename: 'statusrapport-samvaer-2026-05.txt',
    contentBase64: Buffer.from('Statusrapport: samværet forløber godt.').toString('base64'),
  })
  step(10, 'Sanne', 'afleverer statusrapport', 'forpligtelsen er opfyldt')

  // 11. May run: Østervold withheld.
  await moveTo('2026-06-01')
  const may = await runMonth('2026-05')
  await exportMonth('2026-05')
  step(11, 'Finn', 'månedskørsel for maj', summarise(may))

  // 12. Østervold's report releases the payment.
  await moveTo('2026-06-03')
  const rep = await api.call('ole', 'POST', `/api/agreements/${placement.id}/reports`, {
    filename: 'statusrapport-oestervold-2026-06.txt',
    contentBase64: Buffer.from('Statusrapport fra Østervold: Preben trives.').toString('base64'),
  })
  for (const r of (rep.released ?? []) as Json[]) {
    result.payments.push({
      period: r.period,
      payee: OESTERVOLD.name,
      amountOre: Number(r.amountOre),
      status: 'released',
    })
  }
  step(
    12,
    'Ole',
    'uploader statusrapport (dokumentet bliver uden for ledgeren, dets hash forankres)',
    `frigivet: ${((rep.released ?? []) as Json[]).map((r) => `${r.period} ${kr(r.amountOre)}`).join(', ') || 'intet'}`,
  )

  // Between the dated steps both providers keep delivering their quarterly reports (due 1 August
  // and 1 November), as the agreements require; otherwise January 2027 would be withheld.
  for (const due of ['2026-08-01', '2026-11-01']) {
    await moveTo(due)
    for (const [who, id, name] of [
      ['ole', placement.id, 'oestervold'],
      ['sanne', contact.id, 'samvaer'],
    ] as const) {
      await api.call(who, 'POST', `/api/agreements/${id}/reports`, {
        filename: `statusrapport-${name}-${due}.txt`,
        contentBase64: Buffer.from(`Statusrapport ${due}.`).toString('base64'),
      })
    }
  }

  // 13. Termination (hjemgivelse) with cascade.
  await moveTo('2027-01-20')
  await api.call('sara', 'POST', `/api/agreements/${placement.id}/termination`, {
    effectiveDate: '2027-01-31',
    kind: 'mutual',
  })
  await api.call('ole', 'POST', `/api/agreements/${placement.id}/termination`, {
    effectiveDate: '2027-01-31',
    kind: 'mutual',
  })
  step(
    13,
    'Sara, Ole',
    'hjemgivelse med virkning 31. januar 2027',
    `anbringelse: ${await stateOf(placement.id)}; samvær: ${await stateOf(contact.id)}`,
  )

  // 14. Last run.
  await moveTo('2027-02-01')
  const jan = await runMonth('2027-01')
  const janFile = await exportMonth('2027-01')
  const runDay = today
  await moveTo('2027-03-01')
  const after = await api.call('finn', 'POST', '/api/payment-runs', { period: '2027-02' })
  today = runDay
  step(
    14,
    'Finn',
    'månedskørsel for januar 2027 (og forsøg for februar)',
    `${summarise(jan)}; betalingsfil ${janFile?.msgId ?? '—'}; februar 2027: ${after.evaluatedNow} aftaler vurderet, intet betalt`,
  )

  // 16. Integrity check.
  const verify = await api.call('revisor', 'POST', '/api/integrity/verify')
  step(
    16,
    'Revisor',
    'integritetskontrol',
    `${verify.checked} kontrolleret, ${verify.mismatches.length} afvigelser`,
  )

  // 17. Erasure.
  await api.call('dorte', 'POST', `/api/cases/${kase.id}/erase`, { legalBasis: 'GDPR-art17' })
  const verify2 = await api.call('revisor', 'POST', '/api/integrity/verify')
  step(
    17,
    'Dorte, Revisor',
    'sletning af Prebens sag; ny integritetskontrol',
    `${verify2.mismatches.length} afvigelser, ${verify2.erased} slettede`,
  )
  return result
}

function short(id: string) {
  return `${String(id).slice(0, 10)}…`
}

function summarise(run: Json): string {
  const parts = (run.payments as Json[])
    .filter((p) => BigInt(p.amountOre) > 0n)
    .map((p) => {
      const why =
        p.status === 'withheld'
          ? ` (statusrapport forfaldt ${p.reportDueDate}, overskredet siden ${p.overdueSince})`
          : ''
      return `${p.payee.name ?? payeeName(p.payee.cvr)} ${kr(p.amountOre)} ${p.status}${why}`
    })
  return parts.join('; ') || 'ingen betalinger'
}

export async function demoCommand(options: DemoOptions): Promise<void> {
  const outDir = path.resolve(options.out ?? path.join(os.tmpdir(), `tillid-demo-${Date.now()}`))
  mkdirSync(outDir, { recursive: true })
  let baseUrl = options.url ?? 'http://127.0.0.1:8080'
  let close = async () => {}
  if (options.fresh) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-demo-data-'))
    const config = loadConfig({
      TILLID_DATA_DIR: dir,
      TILLID_PORT: '0',
      TILLID_LOG_LEVEL: 'warn',
      TILLID_DEMO: 'true',
    })
    if (!options.json) process.stderr.write(`Starter en ny Tillid i ${dir} …\n`)
    const served = await serve(config, createLogger('warn'))
    baseUrl = served.url
    close = async () => {
      await served.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  try {
    const print = (s: DemoStep) => {
      if (!options.json)
        process.stdout.write(
          `${String(s.step).padStart(2)}  ${s.date}  ${s.actor.padEnd(16)}  ${s.action}\n${' '.repeat(32)}→ ${s.outcome}\n`,
        )
    }
    const result = await runDemo(baseUrl, outDir, print)
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    else process.stdout.write(`\nBetalingsfiler: ${result.paymentFiles.join(', ') || 'ingen'}\n`)
  } finally {
    await close()
  }
}
