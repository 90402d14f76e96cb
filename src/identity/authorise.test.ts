import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  authorisationDoc,
  normaliseTables,
  renderAuthorisationDoc,
} from '../../scripts/gen-authorisation-doc.ts'
import {
  type Action,
  AuthorisationError,
  actions,
  authorise,
  decide,
  listFilter,
  permissions,
  type ResourceScope,
  requirePermission,
  roleMay,
} from './authorise.ts'
import { type Principal, type Role, roles } from './principal.ts'

const doc = readFileSync(authorisationDoc, 'utf8')

/** The role × action table as documented: action → role → allowed, read from the Markdown itself. */
function documentedTable(): Map<string, Map<string, boolean>> {
  const section = doc.slice(doc.indexOf('<!-- permissions:start'), doc.indexOf('<!-- permissions:end'))
  const lines = normaliseTables(section)
    .split('\n')
    .filter((l) => l.startsWith('|`') || l.startsWith('|action|'))
  const header = lines
    .find((l) => l.startsWith('|action|'))!
    .split('|')
    .map((c) => c.trim())
  const table = new Map<string, Map<string, boolean>>()
  for (const line of lines.filter((l) => /^\|`[a-z.]+`\|/.test(l))) {
    const cells = line.split('|').map((c) => c.trim())
    const action = cells[1]!.replaceAll('`', '')
    const row = new Map<string, boolean>()
    header.forEach((h, i) => {
      if ((roles as readonly string[]).includes(h)) row.set(h, cells[i] === '✔')
    })
    table.set(action, row)
  }
  return table
}

describe('docs/authorisation.md', () => {
  it('documents exactly the table in authorise.ts, every action × every role', () => {
    const documented = documentedTable()
    expect([...documented.keys()].sort()).toEqual(Object.keys(actions).sort())
    const mismatches: string[] = []
    for (const action of Object.keys(actions) as Action[]) {
      for (const role of roles) {
        if (documented.get(action)?.get(role) !== roleMay(role, action))
          mismatches.push(`${action} × ${role}`)
      }
    }
    expect(mismatches).toEqual([])
    expect(normaliseTables(doc), 'run: npx tsx scripts/gen-authorisation-doc.ts').toBe(
      normaliseTables(renderAuthorisationDoc(doc)),
    )
  })
})

const HTK = 'org-htk'
const OTHER_MUNI = 'org-other'
const OESTERVOLD = 'org-oestervold'
const SAMVAER = 'org-samvaer'

function staff(role: Role, org: string, kle: string[] = []): Principal {
  const kind = role === 'provider_signatory' ? 'provider' : 'municipality'
  return {
    personId: `p-${role}-${org}`,
    subject: role,
    name: role,
    role,
    kind: 'staff',
    organisation: { id: org, kind, name: org, code: kind === 'provider' ? '12345678' : '169' },
    kle,
    cprIndexes: [],
  }
}
const citizen = (personId: string, cprIndexes: string[]): Principal => ({
  personId,
  subject: personId,
  name: 'Borger',
  role: 'citizen',
  kind: 'citizen',
  organisation: null,
  kle: [],
  cprIndexes,
})

const prebensAgreement: ResourceScope = {
  municipalityId: HTK,
  providerIds: [OESTERVOLD],
  kle: '27.24.00',
  citizenCprIndexes: ['idx-preben'],
}

describe('decide', () => {
  it('denies by default: no principal, unknown actions', () => {
    expect(decide(null, 'case.read')).toMatchObject({ allowed: false, code: 'unauthenticated' })
    expect(decide(staff('admin', HTK), 'no.such' as Action)).toMatchObject({
      allowed: false,
      code: 'forbidden',
    })
    expect(() => requirePermission('no.such' as Action)).toThrow(/unknown action/)
  })

  it('refuses by role before looking at the object', () => {
    const finn = staff('finance', HTK)
    expect(decide(finn, 'agreement.sign', prebensAgreement)).toMatchObject({
      allowed: false,
      code: 'forbidden',
    })
    expect(decide(finn, 'payment.run')).toEqual({ allowed: true })
  })

  it('keeps municipalities apart', () => {
    expect(decide(staff('caseworker', HTK, ['27.24']), 'agreement.read', prebensAgreement)).toEqual({
      allowed: true,
    })
    expect(
      decide(staff('caseworker', OTHER_MUNI, ['27.24']), 'agreement.read', prebensAgreement),
    ).toMatchObject({
      allowed: false,
      code: 'not_found',
    })
    expect(decide(staff('auditor', OTHER_MUNI), 'agreement.read', prebensAgreement).allowed).toBe(false)
    expect(decide(staff('caseworker', HTK, ['27.24']), 'agreement.read', {})).toMatchObject({
      code: 'not_found',
    })
  })

  it('keeps providers to their own agreements', () => {
    expect(decide(staff('provider_signatory', OESTERVOLD), 'agreement.sign', prebensAgreement).allowed).toBe(
      true,
    )
    expect(decide(staff('provider_signatory', SAMVAER), 'agreement.sign', prebensAgreement)).toMatchObject({
      allowed: false,
      code: 'not_found',
    })
  })

  it('limits case workers, centre chiefs and directors to their KLE subjects', () => {
    expect(decide(staff('caseworker', HTK, ['27.24']), 'case.read', prebensAgreement).allowed).toBe(true)
    expect(decide(staff('caseworker', HTK, ['27.24.00']), 'case.read', prebensAgreement).allowed).toBe(true)
    expect(decide(staff('caseworker', HTK, ['27.20']), 'case.read', prebensAgreement).allowed).toBe(false)
    // `27.2` is not a KLE boundary of 27.24.00.
    expect(decide(staff('caseworker', HTK, ['27.2']), 'case.read', prebensAgreement).allowed).toBe(false)
    expect(decide(staff('caseworker', HTK, []), 'case.read', prebensAgreement).allowed).toBe(false)
    expect(decide(staff('director', HTK, ['27']), 'case.read', prebensAgreement).allowed).toBe(true)
    // Finance is not KLE-bound for what it may see at all.
    expect(decide(staff('finance', HTK), 'payment.read', prebensAgreement).allowed).toBe(true)
  })

  it('lets citizens see only their own and their children’s cases', () => {
    const mor = citizen('p-mor', ['idx-mor', 'idx-preben'])
    const stranger = citizen('p-x', ['idx-x'])
    expect(decide(mor, 'agreement.read', prebensAgreement).allowed).toBe(true)
    expect(decide(stranger, 'agreement.read', prebensAgreement)).toMatchObject({
      allowed: false,
      code: 'not_found',
    })
    expect(
      decide(stranger, 'agreement.read', { ...prebensAgreement, citizenPersonIds: ['p-x'] }).allowed,
    ).toBe(true)
    expect(decide(mor, 'agreement.sign', prebensAgreement)).toMatchObject({ code: 'forbidden' })
  })

  it('throws errors whose code is an API error code', () => {
    try {
      authorise(staff('provider_signatory', SAMVAER), 'agreement.read', prebensAgreement)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(AuthorisationError)
      expect((e as AuthorisationError).code).toBe('not_found')
    }
  })

  it('gives list filters that match the single-object rules', () => {
    expect(listFilter(staff('caseworker', HTK, ['27.24']), 'case.read')).toEqual({
      municipalityId: HTK,
      kle: ['27.24'],
    })
    expect(listFilter(staff('finance', HTK), 'payment.read')).toEqual({ municipalityId: HTK })
    expect(listFilter(staff('provider_signatory', OESTERVOLD), 'agreement.read')).toEqual({
      providerId: OESTERVOLD,
    })
    expect(listFilter(citizen('p-mor', ['a']), 'case.read')).toEqual({ personId: 'p-mor', cprIndexes: ['a'] })
    expect(listFilter(staff('finance', HTK), 'case.read')).toBeNull()
  })

  it('has a row for every action and only known roles', () => {
    for (const [action, allowed] of Object.entries(permissions)) {
      expect(Object.hasOwn(actions, action)).toBe(true)
      for (const r of allowed) expect(roles).toContain(r)
    }
  })
})
