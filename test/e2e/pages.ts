/** The pages of the web app, who sees them, and how to bring each into a state worth checking. */
import type { Browser, BrowserContext, Page } from 'playwright-core'

export interface PageCase {
  name: string
  persona: string
  path: string
  heading: string | RegExp
  /** Extra steps after load (open a preview, run a check) so the interesting state is on screen. */
  prepare?: (page: Page) => Promise<void>
}

export const pageCases: PageCase[] = [
  { name: 'opgaver', persona: 'sara', path: '/opgaver', heading: 'Mine opgaver' },
  { name: 'sager', persona: 'sara', path: '/sager', heading: 'Sager' },
  { name: 'ny-sag', persona: 'sara', path: '/sager/ny', heading: 'Opret sag' },
  { name: 'sag', persona: 'sara', path: '/sager/case-1', heading: 'Anbringelse uden for hjemmet' },
  { name: 'ny-aftale', persona: 'sara', path: '/aftaler/ny?caseId=case-1', heading: 'Opret aftale' },
  { name: 'aftale', persona: 'sara', path: '/aftaler/agr-placement', heading: 'Anbringelse på Østervold' },
  { name: 'aftale-kladde', persona: 'sara', path: '/aftaler/agr-draft', heading: 'Aflastning i weekender' },
  { name: 'tillaeg', persona: 'sara', path: '/aftaler/agr-placement/tillaeg', heading: 'Tillæg til aftale' },
  {
    name: 'ophoer',
    persona: 'sara',
    path: '/aftaler/agr-placement/ophoer',
    heading: 'Ophør af aftale',
    prepare: async (page) => {
      await page.getByLabel('Sidste dag aftalen gælder').fill('2027-01-31')
      await page.getByRole('button', { name: 'Se konsekvenser' }).click()
      await page.getByRole('heading', { name: 'Det sker, når du bekræfter' }).waitFor()
    },
  },
  { name: 'demo-tid', persona: 'admin', path: '/demo', heading: 'Demo: tidsstyring' },
  { name: 'godkend', persona: 'bo', path: '/aftaler/agr-awaiting', heading: 'Aflastning i ferier' },
  { name: 'leverandoer', persona: 'ole', path: '/leverandoer', heading: 'Leverandør' },
  {
    name: 'leverandoer-samvaer',
    persona: 'sanne',
    path: '/aftaler/agr-contact',
    heading: 'Overvåget samvær',
  },
  { name: 'oekonomi', persona: 'finn', path: '/oekonomi', heading: 'Økonomi' },
  {
    name: 'maanedskoersel',
    persona: 'finn',
    path: '/oekonomi/2026-05',
    heading: 'Månedskørsel for maj 2026',
  },
  {
    name: 'revision',
    persona: 'revisor',
    path: '/revision',
    heading: 'Revision',
    prepare: async (page) => {
      await page.getByRole('button', { name: 'Kør integritetstjek' }).click()
      await page.getByText('Alt stemmer').waitFor()
      await page.getByLabel('Aftale').selectOption({ label: 'Anbringelse på Østervold – Østervold' })
      await page.getByText('Transaktion', { exact: true }).waitFor()
    },
  },
  { name: 'borger-overblik', persona: 'mor', path: '/borger', heading: 'Mit overblik' },
  { name: 'borger-adgang', persona: 'mor', path: '/borger/adgang', heading: 'Hvem har set mine data' },
  { name: 'borger-eksport', persona: 'mor', path: '/borger/eksport', heading: 'Eksport' },
  { name: 'borger-bidrag', persona: 'mor', path: '/borger/bidrag', heading: 'Bidrag' },
]

export async function contextAs(
  browser: Browser,
  baseUrl: string,
  persona: string | null,
  width = 1280,
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width, height: 900 }, locale: 'da-DK' })
  if (persona) await ctx.addCookies([{ name: 'tillid_session', value: persona, url: baseUrl }])
  return ctx
}

/** Opens a path and waits until its heading is shown and nothing is loading. */
export async function openPage(
  page: Page,
  baseUrl: string,
  c: Pick<PageCase, 'path' | 'heading' | 'prepare'>,
) {
  await page.goto(baseUrl + c.path)
  await page.getByRole('heading', { level: 1, name: c.heading }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('.spinner').length === 0)
  if (c.prepare) await c.prepare(page)
}

/**
 * Logs in through the real embedded development IdP (for end-to-end tests against `tillid start`):
 * the landing page's "Log ind", then the persona's button on the Danish persona picker
 * ("Sara", "Bo", …, "Admin", "Prebens mor"). Resolves when the app shell shows the person.
 */
export async function loginWithDevIdp(page: Page, baseUrl: string, personaButton: string, returnTo = '/') {
  await page.goto(`${baseUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
  await page.getByRole('button', { name: new RegExp(`^${personaButton}\\b`) }).click()
  await page.getByTestId('current-user').getByText(personaButton, { exact: true }).waitFor()
}
