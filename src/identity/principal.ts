/**
 * Who is making a request, as mapped from the identity provider's claims at login (docs/authorisation.md
 * "Claims mapping"). Every authorisation decision is made from this object alone.
 */
import { z } from 'zod'

export const roles = [
  'caseworker',
  'centre_chief',
  'director',
  'finance',
  'provider_signatory',
  'auditor',
  'admin',
  'citizen',
] as const
export type Role = (typeof roles)[number]

export type OrganisationKind = 'municipality' | 'provider'

export interface PrincipalOrganisation {
  /** organisations.id in the store */
  id: string
  kind: OrganisationKind
  name: string
  /** municipality code (3 digits) or CVR number (8 digits) */
  code: string
}

export interface Principal {
  /** people.id in the store */
  personId: string
  /** the IdP's `sub` */
  subject: string
  name: string
  role: Role
  kind: 'staff' | 'citizen'
  organisation: PrincipalOrganisation | null
  /** KLE subjects (numbers or prefixes such as `27.24`) a staff member may work on */
  kle: string[]
  /**
   * Citizens only: hex blind indexes (store/crypto.ts cprBlindIndex) of the person's own CPR and of the
   * children in their custody. The CPR numbers themselves are never kept in the session.
   */
  cprIndexes: string[]
}

const kleNumber = z.string().regex(/^\d{2}(\.\d{2}){0,2}$/)
const cpr = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{10}$/))

/** Claims as they arrive from the IdP: the documented `tillid_*` names, with common fallbacks. */
export const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  name: z.string().min(1).max(200).optional(),
  tillid_role: z.string().optional(),
  roles: z.array(z.string()).optional(),
  tillid_org_kind: z.enum(['municipality', 'provider']).optional(),
  tillid_org_code: z.string().optional(),
  tillid_org_name: z.string().max(200).optional(),
  tillid_kle: z.union([z.array(kleNumber), z.string()]).optional(),
  tillid_cpr: cpr.optional(),
  tillid_custody: z.array(cpr).optional(),
})
export type Claims = z.input<typeof claimsSchema>

/** What the claims say about a person, before the store gives the organisation and person their ids. */
export interface MappedIdentity {
  subject: string
  name: string
  role: Role
  kind: 'staff' | 'citizen'
  organisation: Omit<PrincipalOrganisation, 'id'> | null
  kle: string[]
  cpr: string | null
  custodyCprs: string[]
}

export class ClaimsError extends Error {
  override name = 'ClaimsError'
}

/**
 * The documented claims mapping. Deny by default: a login without a known role, or a staff login
 * without a valid organisation, is refused rather than given some minimal access.
 */
export function mapClaims(raw: unknown): MappedIdentity {
  const parsed = claimsSchema.safeParse(raw)
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ')
    throw new ClaimsError(`the identity provider's claims are not usable (${fields})`)
  }
  const c = parsed.data
  const candidates = [c.tillid_role, ...(c.roles ?? [])].filter((r): r is string => !!r)
  const role = candidates.find((r): r is Role => (roles as readonly string[]).includes(r))
  if (!role) throw new ClaimsError('no Tillid role in the claims (tillid_role or roles)')
  const kind = role === 'citizen' ? 'citizen' : 'staff'
  let organisation: MappedIdentity['organisation'] = null
  if (kind === 'staff') {
    const orgKind = c.tillid_org_kind
    const code = c.tillid_org_code ?? ''
    if (!orgKind) throw new ClaimsError('staff login without tillid_org_kind')
    const pattern = orgKind === 'municipality' ? /^\d{3}$/ : /^\d{8}$/
    if (!pattern.test(code)) throw new ClaimsError(`tillid_org_code is not a valid ${orgKind} code`)
    if (role === 'provider_signatory' ? orgKind !== 'provider' : orgKind !== 'municipality') {
      throw new ClaimsError(`role ${role} does not belong to a ${orgKind}`)
    }
    organisation = { kind: orgKind, code, name: c.tillid_org_name ?? code }
  } else if (!c.tillid_cpr) {
    throw new ClaimsError('citizen login without tillid_cpr')
  }
  const kle =
    kind === 'staff'
      ? (typeof c.tillid_kle === 'string'
          ? c.tillid_kle.split(/[\s,]+/).filter(Boolean)
          : (c.tillid_kle ?? [])
        ).filter((k) => kleNumber.safeParse(k).success)
      : []
  return {
    subject: c.sub,
    name: c.name ?? c.sub,
    role,
    kind,
    organisation,
    kle,
    cpr: kind === 'citizen' ? (c.tillid_cpr ?? null) : null,
    custodyCprs: kind === 'citizen' ? (c.tillid_custody ?? []) : [],
  }
}

/** A KLE entry covers a subject when equal or a prefix at a dot boundary (`27.24` covers `27.24.00`). */
export function kleCovers(entry: string, subject: string): boolean {
  return subject === entry || subject.startsWith(`${entry}.`)
}
