import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { asyncapiPath, eventsDocPath, renderAsyncApi, renderEventsDoc } from '../../scripts/gen-asyncapi.ts'
import { eventTypes } from '../../src/events/catalogue.ts'

describe('event documentation', () => {
  it('docs/asyncapi.yaml is generated from the current schemas (run npx tsx scripts/gen-asyncapi.ts)', () => {
    expect(readFileSync(asyncapiPath, 'utf8')).toBe(renderAsyncApi())
  })

  it('the catalogue table in docs/events.md is current', () => {
    const doc = readFileSync(eventsDocPath, 'utf8')
    expect(doc).toBe(renderEventsDoc(doc))
    for (const t of eventTypes)
      expect(doc).toMatch(new RegExp(`^\\| \`${t.replaceAll('.', '\\.')}\` +\\|`, 'm'))
  })

  it('documents every event as a channel, a send operation and a message with MOX headers', () => {
    const yaml = readFileSync(asyncapiPath, 'utf8')
    expect(yaml).toMatch(/^asyncapi: "3\.0\.0"$/m)
    for (const t of eventTypes) expect(yaml).toContain(`address: "${t}"`)
    expect(yaml.match(/action: "send"/g)).toHaveLength(eventTypes.length)
    expect(yaml).toContain('address: "tillid.inbound.esdh"')
    expect(
      yaml.match(/beskedtype:\n\s+type: "string"\n\s+const: "Notification"/g)?.length,
    ).toBeGreaterThanOrEqual(eventTypes.length)
  })
})
