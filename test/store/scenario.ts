/** A small case world for the integrity and erasure tests: Preben's case with documents and anchors. */
import { randomBytes } from 'node:crypto'
import type { Store } from '../../src/store/database.ts'
import { CaseKeys, createRepositories, type Repositories } from '../../src/store/repositories/index.ts'

export const PREBEN = { cpr: '150116-4002', digits: '1501164002', name: 'Preben Testesen' }
export const REPORT_TEXT = 'Statusrapport maj: Preben Testesen trives og går i skole hver dag.'

export interface World {
  repos: Repositories
  municipalityId: string
  directorId: string
  caseId: string
  otherCaseId: string
  documentIds: string[]
  /** What the chain would list: every anchor made, with its hash. */
  chain: { kind: string; id: string; hash: string }[]
}

export async function buildWorld(
  store: Store,
  kek: Uint8Array = new Uint8Array(randomBytes(32)),
): Promise<World> {
  const repos = createRepositories(store.db, new CaseKeys(kek))
  const m = await repos.organisations.create({
    kind: 'municipality',
    municipalityCode: '169',
    name: 'Høje-Taastrup Kommune',
  })
  const sara = await repos.people.create({
    kind: 'staff',
    subject: 'sara',
    organisationId: m.id,
    role: 'caseworker',
    kleSubjects: ['27'],
  })
  const dorte = await repos.people.create({
    kind: 'staff',
    subject: 'dorte',
    organisationId: m.id,
    role: 'director',
  })
  const mother = await repos.people.create({ kind: 'citizen', subject: 'mitid:mother', cpr: '010180-1234' })
  const chain: World['chain'] = []
  const cases: string[] = []
  const documentIds: string[] = []
  for (const [n, titel] of [
    ['2026-0001', `Anbringelse af ${PREBEN.name}`],
    ['2026-0002', 'Anden sag'],
  ] as const) {
    const c = await repos.cases.create({ organisationId: m.id, sagsnummer: n, titel, kleClass: '27.24.00' })
    cases.push(c.id)
    const child = await repos.cases.addCitizen(
      c.id,
      n === '2026-0001' ? PREBEN : { cpr: '0707614285', name: 'Anders Andet' },
    )
    if (n === '2026-0001')
      await repos.cases.addCustody({ parentPersonId: mother.id, citizenId: child.id, fromDate: '2016-01-15' })
    const a = await repos.anchors.anchorCase(c.id)
    chain.push({ kind: a.kind, id: a.objectId, hash: a.hash })
    for (let i = 0; i < 3; i++) {
      const text =
        n === '2026-0001' && i === 0 ? REPORT_TEXT : `Dokument ${i} i sag ${n} ${'x'.repeat(200 * i)}`
      const d = await repos.documents.add({
        caseId: c.id,
        kind: 'status_report',
        mediaType: 'text/plain',
        title: `Rapport ${i}`,
        bytes: new TextEncoder().encode(text),
      })
      documentIds.push(d.id)
      const da = await repos.anchors.anchorDocument(d.id)
      chain.push({ kind: da.kind, id: da.objectId, hash: da.hash })
    }
    const r = await repos.anchors.anchorRecord(
      'agreement_version',
      `${n}:v1`,
      { caseId: c.id, lines: [{ priceOre: 5_200_000n, text: 'Ophold på Østervold' }] },
      { caseId: c.id },
    )
    chain.push({ kind: r.kind, id: r.objectId, hash: r.hash })
    await repos.accessLog.append({
      actorPersonId: sara.id,
      actorRole: 'caseworker',
      actorOrganisationId: m.id,
      caseId: c.id,
      citizenId: child.id,
      action: 'read',
      object: 'case',
      purpose: 'casework',
    })
  }
  const t = await repos.anchors.anchorRecord('template', 'placement-v1', {
    lines: ['ophold', 'skoledel', 'taxi'],
  })
  chain.push({ kind: t.kind, id: t.objectId, hash: t.hash })
  for (const a of chain) await repos.anchors.setChainRef(a.kind, a.id, `0x${'1'.repeat(64)}`)
  return {
    repos,
    municipalityId: m.id,
    directorId: dorte.id,
    caseId: cases[0]!,
    otherCaseId: cases[1]!,
    documentIds,
    chain,
  }
}
