/**
 * Browser harness for the web app's tests: Debian's chromium driven by playwright-core (never a
 * downloaded browser), and an axe check that fails on serious or critical violations.
 */
import { existsSync } from 'node:fs'
import { AxeBuilder } from '@axe-core/playwright'
import { type Browser, chromium, type Page } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Chromium, or null (with a SKIP line) when this machine has none. */
export async function launchBrowser(): Promise<Browser | null> {
  if (!existsSync(CHROMIUM_PATH)) {
    // CI (.ci/run installs Debian's chromium) must run the browser tests, not skip them.
    if (process.env.CI)
      throw new Error(`chromium not found at ${CHROMIUM_PATH}; CI requires the browser tests`)
    console.log(`SKIP: chromium not found at ${CHROMIUM_PATH}`)
    return null
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true })
}

export interface A11yViolation {
  id: string
  impact: string
  help: string
  targets: string[]
}

/** Serious and critical WCAG 2.1 A/AA violations on the page as it is now. */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  // resultTypes: only violations are collected in full, which makes each run markedly cheaper.
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .options({ resultTypes: ['violations'] })
    .analyze()
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }))
}

/** Throws with a readable list when axe finds serious or critical violations. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  const v = await seriousA11yViolations(page)
  if (v.length > 0) {
    const lines = v.map((x) => `  [${x.impact}] ${x.id}: ${x.help}\n    ${x.targets.join('\n    ')}`)
    throw new Error(`axe found ${v.length} serious/critical violation(s) on ${label}:\n${lines.join('\n')}`)
  }
}

/** Width of content that does not fit the viewport (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
}
