/**
 * Authorisation in one place (architecture.md §5, docs/authorisation.md). Deny by default:
 *   1. the role × action table below says whether a role may do an action at all;
 *   2. the resource scope then limits it to the person's tenant (municipality or provider), to the KLE
 *      subjects a municipal case worker, centre chief or director works on, and for citizens to their
 *      own cases and those of the children in their custody.
 * A role denial is `forbidden` (403); a scope denial is `not_found` (404), so ids of other tenants'
 * objects reveal nothing.
 */
import { kleCovers, type Principal, type Role, roles } from './principal.ts'

/** Every action, with the Danish description used in docs/authorisation.md. */
export const actions = {
  'organisation.read': 'Se organisationer og deres medlemmer',
  'template.read': 'Se aftaleskabeloner',
  'task.read': 'Se egne opgaver',
  'case.create': 'Oprette en sag',
  'case.read': 'Se en sag med personoplysninger (skriver i adgangsloggen)',
  'case.erase': 'Slette en sags personoplysninger',
  'agreement.read': 'Se aftaler, versioner og betalingsstatus',
  'agreement.draft': 'Udarbejde et aftaleudkast',
  'agreement.sign': 'Underskrive en aftale',
  'agreement.approve': 'Godkende en aftale over beløbsgrænsen',
  'agreement.amend': 'Udarbejde et tillæg til en aftale',
  'agreement.review': 'Træffe beslutning ved opfølgning',
  'agreement.terminate': 'Opsige eller hjemgive (ophør af aftale)',
  'document.upload': 'Uploade dokumenter og statusrapporter',
  'document.read': 'Hente dokumenter',
  'invoice.submit': 'Indsende en faktura',
  'invoice.read': 'Se fakturaer',
  'payment.run': 'Køre den månedlige betalingskørsel',
  'payment.read': 'Se betalingskørsler (leverandører: kun egne betalinger, uden sager og betalingsfil)',
  'payment.export': 'Hente betalingsfilen (pain.001)',
  'accesslog.read': 'Se adgangsloggen for en sag',
  'integrity.verify': 'Køre integritetskontrollen',
  'ledger.time.read': 'Se ledgerens dato',
  'ledger.time.set': 'Flytte ledgerens dato frem (kun demo)',
  'integration.manage':
    'Se integrationer (MOX-beskeder), aflevere ESDH-beskeder uden om køen og genafsende fejlede beskeder',
  'analytics.read': 'Se udrulningens tal for alle kommuner (små tal skjult som <5)',
  'citizen.overview': 'Se egne og egne børns aftaler, dokumenter og adgangslog',
  'citizen.export': 'Eksportere egne og egne børns oplysninger',
  'citizen.contribute': 'Indsende bemærkninger og rettelser til egen sag',
} as const
export type Action = keyof typeof actions

const R = {
  cw: 'caseworker',
  cc: 'centre_chief',
  dir: 'director',
  fin: 'finance',
  prov: 'provider_signatory',
  aud: 'auditor',
  adm: 'admin',
  cit: 'citizen',
} as const satisfies Record<string, Role>
const staff: Role[] = [R.cw, R.cc, R.dir, R.fin, R.prov, R.aud, R.adm]

/** THE table. Anything not listed is denied. docs/authorisation.md is generated from it. */
export const permissions: Record<Action, readonly Role[]> = {
  'organisation.read': staff,
  'template.read': [R.cw, R.cc, R.dir, R.adm],
  'task.read': staff,
  'case.create': [R.cw],
  'case.read': [R.cw, R.cc, R.dir, R.cit],
  'case.erase': [R.cc, R.dir, R.adm],
  'agreement.read': [R.cw, R.cc, R.dir, R.fin, R.prov, R.aud, R.cit],
  'agreement.draft': [R.cw],
  'agreement.sign': [R.cw, R.prov],
  'agreement.approve': [R.cc, R.dir],
  'agreement.amend': [R.cw],
  'agreement.review': [R.cw],
  'agreement.terminate': [R.cw, R.prov],
  'document.upload': [R.cw, R.prov],
  'document.read': [R.cw, R.cc, R.dir, R.prov, R.cit],
  'invoice.submit': [R.prov],
  'invoice.read': [R.cw, R.cc, R.dir, R.fin, R.prov, R.aud],
  'payment.run': [R.fin, R.adm],
  'payment.read': [R.cw, R.cc, R.dir, R.fin, R.prov, R.aud],
  'payment.export': [R.fin],
  'accesslog.read': [R.cw, R.cc, R.dir, R.aud],
  'integrity.verify': [R.aud, R.adm],
  'ledger.time.read': [...staff, R.cit],
  'ledger.time.set': [R.adm],
  'integration.manage': [R.adm],
  // Published (suppressed) national figures: for management, audit and operations, not case work.
  'analytics.read': [R.cc, R.dir, R.aud, R.adm],
  'citizen.overview': [R.cit],
  'citizen.export': [R.cit],
  'citizen.contribute': [R.cit],
}

/** Roles whose access to case-bound objects is limited to their KLE subjects. */
export const kleBoundRoles: readonly Role[] = [R.cw, R.cc, R.dir]

/**
 * What an object belongs to, filled in by the service that loaded it. Omit the scope only for actions
 * on collections or on nothing in particular (a list must then be filtered with `listFilter`).
 */
export interface ResourceScope {
  /** organisations.id of the municipality that owns the object */
  municipalityId?: string | null
  /** organisations.id of every provider party to the object */
  providerIds?: readonly string[]
  /** KLE class of the case the object belongs to */
  kle?: string | null
  /** people.id of the persons with citizen access: the citizen and the holders of custody */
  citizenPersonIds?: readonly string[]
  /** hex CPR blind indexes of the case's citizens (store/crypto.ts cprBlindIndex) */
  citizenCprIndexes?: readonly string[]
}

export type Decision =
  | { allowed: true }
  | { allowed: false; code: 'unauthenticated' | 'forbidden' | 'not_found'; reason: string }

export function roleMay(role: Role, action: Action): boolean {
  return permissions[action]?.includes(role) ?? false
}

export function decide(
  principal: Principal | null | undefined,
  action: Action,
  scope?: ResourceScope,
): Decision {
  if (!principal) return { allowed: false, code: 'unauthenticated', reason: 'not logged in' }
  if (!Object.hasOwn(permissions, action))
    return { allowed: false, code: 'forbidden', reason: 'unknown action' }
  if (!roleMay(principal.role, action)) {
    return { allowed: false, code: 'forbidden', reason: `role ${principal.role} may not ${action}` }
  }
  if (!scope) return { allowed: true }
  const outOfScope = (reason: string): Decision => ({ allowed: false, code: 'not_found', reason })
  if (principal.kind === 'citizen') {
    const byPerson = scope.citizenPersonIds?.includes(principal.personId) ?? false
    const byCpr = scope.citizenCprIndexes?.some((i) => principal.cprIndexes.includes(i)) ?? false
    return byPerson || byCpr ? { allowed: true } : outOfScope('not the citizen or a holder of custody')
  }
  const org = principal.organisation
  if (!org) return outOfScope('staff without organisation')
  if (org.kind === 'provider') {
    return scope.providerIds?.includes(org.id) ? { allowed: true } : outOfScope('another provider’s object')
  }
  if (!scope.municipalityId || scope.municipalityId !== org.id)
    return outOfScope('another municipality’s object')
  if (
    kleBoundRoles.includes(principal.role) &&
    scope.kle &&
    !principal.kle.some((k) => kleCovers(k, scope.kle!))
  ) {
    return outOfScope('KLE subject not among the person’s subjects')
  }
  return { allowed: true }
}

/** Thrown by `authorise`; its `code` is an API error code (api/errors.ts), its message user-safe. */
export class AuthorisationError extends Error {
  override name = 'AuthorisationError'
  constructor(
    readonly code: 'unauthenticated' | 'forbidden' | 'not_found',
    readonly reason: string,
  ) {
    super(
      code === 'forbidden' ? reason : code === 'unauthenticated' ? 'Log ind for at fortsætte' : 'Ikke fundet',
    )
  }
}

/** Throws unless the principal may do the action (on the scoped object). */
export function authorise(
  principal: Principal | null | undefined,
  action: Action,
  scope?: ResourceScope,
): Principal {
  const d = decide(principal, action, scope)
  if (!d.allowed) throw new AuthorisationError(d.code, d.reason)
  return principal!
}

/**
 * The constraints a list query must apply for this principal, so lists never show more than `decide`
 * would allow one object at a time. `null` means: nothing may be listed.
 */
export function listFilter(
  principal: Principal,
  action: Action,
): {
  municipalityId?: string
  providerId?: string
  kle?: string[]
  personId?: string
  cprIndexes?: string[]
} | null {
  if (!roleMay(principal.role, action)) return null
  if (principal.kind === 'citizen') return { personId: principal.personId, cprIndexes: principal.cprIndexes }
  const org = principal.organisation
  if (!org) return null
  if (org.kind === 'provider') return { providerId: org.id }
  return kleBoundRoles.includes(principal.role)
    ? { municipalityId: org.id, kle: principal.kle }
    : { municipalityId: org.id }
}

/** The role × action table as Markdown, for docs/authorisation.md (kept equal by a test). */
export function renderPermissionTable(): string {
  const head = `| action | ${roles.join(' | ')} | |`
  const rule = `|---|${roles.map(() => ':-:').join('|')}|---|`
  const rows = (Object.keys(actions) as Action[]).map(
    (a) => `| \`${a}\` | ${roles.map((r) => (roleMay(r, a) ? '✔' : '–')).join(' | ')} | ${actions[a]} |`,
  )
  return [head, rule, ...rows].join('\n')
}

/**
 * A Fastify hook that checks the role table before the handler runs: 401 without a session,
 * 403 when the role may not do the action. Object scope (tenant, KLE, custody) is checked by the
 * service with `authorise(principal, action, scope)` once it has loaded the object. The returned
 * function carries `action`, so the API can list which action every route requires.
 * Use it as the route's `onRequest` hook, so an unauthorised request is refused before its body is even
 * parsed or validated: `app.post('/api/x', { onRequest: requirePermission('agreement.sign'), schema }, …)`.
 */
export function requirePermission(action: Action): ((request: {
  principal?: Principal | null
}) => Promise<void>) & {
  action: Action
} {
  if (!Object.hasOwn(permissions, action)) throw new Error(`unknown action ${action}`)
  const check = async (request: { principal?: Principal | null }) => {
    authorise(request.principal, action)
  }
  return Object.assign(check, { action })
}
