/**
 * The scenario's people (../shared/docs/scenario-preben.md) as the embedded development IdP knows them.
 * Their claims use exactly the documented mapping (docs/authorisation.md), so the embedded IdP exercises
 * the same code path as a municipality's real IdP. All CPR and CVR numbers here are fictitious.
 */
import type { Claims, Role } from './principal.ts'

export const HOEJE_TAASTRUP = { kind: 'municipality', code: '169', name: 'Høje-Taastrup Kommune' } as const
export const OESTERVOLD = { kind: 'provider', code: '31457823', name: 'Østervold' } as const
export const SAMVAERSKONSULENTERNE = {
  kind: 'provider',
  code: '38726415',
  name: 'Samværskonsulenterne ApS',
} as const

/** Preben, 10 years old; his CPR exists only off-chain (fictitious number, fails modulus 11). */
export const PREBEN_CPR = '1408154233'
/** Preben's mother, who has custody (fictitious number). */
export const MOR_CPR = '0203881234'

export const roleLabels: Record<Role, string> = {
  caseworker: 'Sagsbehandler',
  centre_chief: 'Centerchef',
  director: 'Direktør',
  finance: 'Økonomimedarbejder',
  provider_signatory: 'Tegningsberettiget hos leverandør',
  auditor: 'Revisor',
  admin: 'Systemadministrator',
  citizen: 'Borger',
}

export interface Persona {
  /** login name in the persona picker and `loginAs` */
  login: string
  name: string
  role: Role
  /** Danish role and organisation line shown in the persona picker */
  description: string
  claims: Claims
}

type Org = typeof HOEJE_TAASTRUP | typeof OESTERVOLD | typeof SAMVAERSKONSULENTERNE

function staff(
  login: string,
  name: string,
  role: Role,
  org: Org,
  kle: string[],
  description: string,
): Persona {
  return {
    login,
    name,
    role,
    description,
    claims: {
      sub: login,
      name,
      tillid_role: role,
      tillid_org_kind: org.kind,
      tillid_org_code: org.code,
      tillid_org_name: org.name,
      tillid_kle: kle,
    },
  }
}

// Children and young people with special needs are KLE group 27.24; centre chiefs and the director
// work across the whole social area (27).
export const personas: readonly Persona[] = [
  staff(
    'sara',
    'Sara',
    'caseworker',
    HOEJE_TAASTRUP,
    ['27.24'],
    'Sagsbehandler, Børn og Familie · Høje-Taastrup Kommune',
  ),
  staff('bo', 'Bo', 'centre_chief', HOEJE_TAASTRUP, ['27'], 'Centerchef · Høje-Taastrup Kommune'),
  staff('lis', 'Lis', 'centre_chief', HOEJE_TAASTRUP, ['27'], 'Centerchef · Høje-Taastrup Kommune'),
  staff('dorte', 'Dorte', 'director', HOEJE_TAASTRUP, ['27'], 'Direktør · Høje-Taastrup Kommune'),
  staff('finn', 'Finn', 'finance', HOEJE_TAASTRUP, [], 'Økonomimedarbejder · Høje-Taastrup Kommune'),
  staff('revisor', 'Revisor', 'auditor', HOEJE_TAASTRUP, [], 'Revisor for Høje-Taastrup Kommune'),
  staff(
    'admin',
    'Admin',
    'admin',
    HOEJE_TAASTRUP,
    [],
    'Systemadministrator · Høje-Taastrup Kommune (flytter ledgerens dato i demoen)',
  ),
  staff('ole', 'Ole', 'provider_signatory', OESTERVOLD, [], 'Tegningsberettiget · Østervold (botilbud)'),
  staff(
    'sanne',
    'Sanne',
    'provider_signatory',
    SAMVAERSKONSULENTERNE,
    [],
    'Tegningsberettiget · Samværskonsulenterne ApS',
  ),
  {
    login: 'mor',
    name: 'Prebens mor',
    role: 'citizen',
    description: 'Borger · mor til Preben (forældremyndighed)',
    claims: {
      sub: 'mor',
      name: 'Prebens mor',
      tillid_role: 'citizen',
      tillid_cpr: MOR_CPR,
      tillid_custody: [PREBEN_CPR],
    },
  },
]

export function persona(login: string): Persona | undefined {
  return personas.find((p) => p.login === login)
}
