import { type ReactNode, useEffect, useState } from 'react'
import { ApiError, api, type LedgerTime, links, type Me, type Role, setCsrfToken } from './api.ts'
import { Alert, clearAllSessionState, Spinner } from './components/ui.tsx'
import { formatDate } from './format.ts'
import { AgreementPage } from './pages/Agreement.tsx'
import { AgreementNewPage } from './pages/AgreementNew.tsx'
import { AmendPage } from './pages/Amend.tsx'
import { AuditPage } from './pages/Audit.tsx'
import { CasePage, CasesPage, NewCasePage } from './pages/Cases.tsx'
import {
  CitizenAccessLogPage,
  CitizenContributePage,
  CitizenExportPage,
  CitizenOverviewPage,
} from './pages/Citizen.tsx'
import { DemoTimePage } from './pages/DemoTime.tsx'
import { FinancePage, PaymentRunPage } from './pages/Finance.tsx'
import { IntegrationsPage } from './pages/Integrations.tsx'
import { LandingPage } from './pages/Landing.tsx'
import { ProviderPage } from './pages/Provider.tsx'
import { RolloutComparePage, RolloutMunicipalityPage, RolloutNationalPage } from './pages/Rollout.tsx'
import { TasksPage } from './pages/Tasks.tsx'
import { TerminatePage } from './pages/Terminate.tsx'
import { Link, match, Redirect, useLocation } from './router.tsx'
import { roleLabel, SessionContext } from './session.tsx'

interface NavItem {
  to: string
  label: string
}

function navFor(role: Role, demo: boolean): NavItem[] {
  const staff: Record<Exclude<Role, 'citizen'>, NavItem[]> = {
    caseworker: [
      { to: '/opgaver', label: 'Mine opgaver' },
      { to: '/sager', label: 'Sager' },
    ],
    centre_chief: [
      { to: '/opgaver', label: 'Mine opgaver' },
      { to: '/sager', label: 'Sager' },
    ],
    director: [
      { to: '/opgaver', label: 'Mine opgaver' },
      { to: '/sager', label: 'Sager' },
    ],
    finance: [
      { to: '/oekonomi', label: 'Økonomi' },
      { to: '/opgaver', label: 'Mine opgaver' },
    ],
    provider_signatory: [
      { to: '/opgaver', label: 'Mine opgaver' },
      { to: '/leverandoer', label: 'Leverandør' },
    ],
    auditor: [{ to: '/revision', label: 'Revision' }],
    admin: [
      { to: '/opgaver', label: 'Mine opgaver' },
      { to: '/sager', label: 'Sager' },
      { to: '/oekonomi', label: 'Økonomi' },
      { to: '/revision', label: 'Revision' },
      { to: '/integrationer', label: 'Integrationer' },
    ],
  }
  if (role === 'citizen') {
    return [
      { to: '/borger', label: 'Mit overblik' },
      { to: '/borger/adgang', label: 'Hvem har set mine data' },
      { to: '/borger/eksport', label: 'Eksport' },
      { to: '/borger/bidrag', label: 'Bidrag' },
    ]
  }
  const items = [...staff[role]]
  // The rollout figures are for the roles the API lets read them (analytics.read).
  if (['centre_chief', 'director', 'auditor', 'admin'].includes(role))
    items.push({ to: '/udrulning', label: 'Udrulning' })
  // Moving the ledger clock is the demo administrator's job (the dev IdP's "Admin").
  if (demo && role === 'admin') items.push({ to: '/demo', label: 'Demo: tid' })
  return items
}

export function homeFor(role: Role): string {
  return navFor(role, false)[0]?.to ?? '/'
}

const staffRoutes: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/opgaver', () => <TasksPage />],
  ['/sager', () => <CasesPage />],
  ['/sager/ny', () => <NewCasePage />],
  ['/sager/:id', (p) => <CasePage id={p.id as string} />],
  ['/aftaler/ny', () => <AgreementNewPage />],
  ['/aftaler/:id/tillaeg', (p) => <AmendPage id={p.id as string} />],
  ['/aftaler/:id/ophoer', (p) => <TerminatePage id={p.id as string} />],
  ['/aftaler/:id', (p) => <AgreementPage id={p.id as string} />],
  ['/leverandoer', () => <ProviderPage />],
  ['/oekonomi', () => <FinancePage />],
  ['/oekonomi/:period', (p) => <PaymentRunPage period={p.period as string} />],
  ['/revision', () => <AuditPage />],
  ['/demo', () => <DemoTimePage />],
  ['/udrulning', () => <RolloutNationalPage />],
  ['/udrulning/sammenlign', () => <RolloutComparePage />],
  ['/udrulning/kommuner/:code', (p) => <RolloutMunicipalityPage code={p.code as string} />],
]

/** Routes only the administrator has: others get "Siden findes ikke", and the API answers 403. */
const adminRoutes: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/integrationer', () => <IntegrationsPage />],
]

const citizenRoutes: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/borger', () => <CitizenOverviewPage />],
  ['/borger/adgang', () => <CitizenAccessLogPage />],
  ['/borger/eksport', () => <CitizenExportPage />],
  ['/borger/bidrag', () => <CitizenContributePage />],
]

function routes(path: string, role: Role): ReactNode {
  // Literal routes first, so `/sager/ny` is not read as a case id.
  const table =
    role === 'citizen' ? citizenRoutes : role === 'admin' ? [...staffRoutes, ...adminRoutes] : staffRoutes
  for (const literal of [true, false]) {
    for (const [pattern, render] of table) {
      if (pattern.includes(':') === literal) continue
      const p = match(pattern, path)
      if (p) return render(p)
    }
  }
  return null
}

function Header({ me, onLogout }: { me: Me | null; onLogout: () => void }) {
  const loc = useLocation()
  return (
    <header className="header app-header">
      <a href="#main-content" className="skipnav">
        Gå til sidens indhold
      </a>
      <div className="portal-info">
        <div className="portal-info-inner container">
          <Link to="/" className="app-brand">
            Tillid
          </Link>
          {me ? (
            <div className="app-user">
              <p className="user" data-testid="current-user">
                <span className="username">
                  <strong>{me.person.name}</strong>
                </span>
                <span>
                  {roleLabel[me.person.role] ?? me.person.role}
                  {me.organisation ? `, ${me.organisation.name}` : ''}
                </span>
              </p>
              <button type="button" className="button button-secondary" onClick={onLogout}>
                Log af
              </button>
            </div>
          ) : (
            <a className="button button-secondary" href={links.login(loc.path === '/' ? '/' : loc.href)}>
              Log ind
            </a>
          )}
        </div>
      </div>
    </header>
  )
}

function Nav({ items }: { items: NavItem[] }) {
  const { path } = useLocation()
  return (
    <nav className="app-nav" aria-label="Hovedmenu">
      <div className="container">
        <ul className="unstyled-list">
          {items.map((i) => {
            const current = path === i.to || (i.to !== '/borger' && path.startsWith(`${i.to}/`))
            return (
              <li key={i.to}>
                <Link to={i.to} aria-current={current ? 'page' : undefined}>
                  {i.label}
                </Link>
              </li>
            )
          })}
        </ul>
      </div>
    </nav>
  )
}

function DemoBar({ ledger, canMove }: { ledger: LedgerTime; canMove: boolean }) {
  return (
    <section className="demo-bar" aria-label="Demo">
      <div className="container">
        <p>
          <span className="demo-tag">DEMO</span>
          Ledger-dato: <strong>{formatDate(ledger.date)}</strong>.{' '}
          {canMove ? <Link to="/demo">Flyt tiden frem</Link> : 'Tiden kan flyttes frem af administratoren.'}
        </p>
      </div>
    </section>
  )
}

export function App() {
  const [state, setState] = useState<
    { kind: 'loading' } | { kind: 'anon' } | { kind: 'in'; me: Me } | { kind: 'error'; message: string }
  >({ kind: 'loading' })
  const [ledger, setLedger] = useState<LedgerTime | null>(null)
  const loc = useLocation()

  useEffect(() => {
    api.me().then(
      (me) => {
        setCsrfToken(me.csrfToken)
        setState({ kind: 'in', me })
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setState({ kind: 'anon' })
        else setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) })
      },
    )
  }, [])

  const staff = state.kind === 'in' && state.me.person.kind === 'staff'
  const refreshLedger = () => {
    api.ledgerTime().then(
      (t) => setLedger(t.demo ? t : null),
      () => setLedger(null),
    )
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: refresh once when a staff session starts
  useEffect(() => {
    if (staff) refreshLedger()
  }, [staff])

  const logout = async () => {
    clearAllSessionState()
    try {
      await api.logout()
    } finally {
      window.location.assign('/')
    }
  }

  let body: ReactNode
  let nav: ReactNode = null
  if (state.kind === 'loading') body = <Spinner label="Henter …" />
  else if (state.kind === 'error')
    body = (
      <Alert kind="error" heading="Tillid kunne ikke starte">
        {state.message}
      </Alert>
    )
  else if (state.kind === 'anon') body = <LandingPage returnTo={loc.href} />
  else {
    const role = state.me.person.role
    nav = <Nav items={navFor(role, ledger !== null)} />
    const page = loc.path === '/' ? <Redirect to={homeFor(role)} /> : routes(loc.path, role)
    body = page ?? (
      <>
        <h1>Siden findes ikke</h1>
        <p>
          Adressen findes ikke, eller du har ikke adgang til den.{' '}
          <Link to={homeFor(role)}>Gå til forsiden</Link>
        </p>
      </>
    )
    body = (
      <SessionContext.Provider value={{ me: state.me, ledger, refreshLedger }}>
        {body}
      </SessionContext.Provider>
    )
  }

  return (
    <>
      <Header me={state.kind === 'in' ? state.me : null} onLogout={logout} />
      {ledger && (
        <DemoBar ledger={ledger} canMove={state.kind === 'in' && state.me.person.role === 'admin'} />
      )}
      {nav}
      <main id="main-content" className="container" tabIndex={-1}>
        {body}
      </main>
      <footer className="app-footer">
        <div className="container">
          <p>Tillid – aftaler om sociale indsatser, registreret så de ikke kan ændres i det skjulte.</p>
        </div>
      </footer>
    </>
  )
}
