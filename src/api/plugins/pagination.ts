/**
 * Pagination for list endpoints: `?limit=&offset=` in, the page as a JSON array out (the web app's
 * contract), with the total in `X-Total-Count` and RFC 8288 `Link` headers for next/prev.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'

export const MAX_PAGE = 200

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
})
export type PageQuery = z.output<typeof pageQuery>

/** A route's querystring schema with the paging fields added. */
export function withPaging<T extends z.ZodRawShape>(shape: T) {
  return z.object({ ...shape, ...pageQuery.shape })
}

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

/** Cuts one page from an in-memory list (for small lists; large ones page in SQL). */
export function paginate<T>(all: readonly T[], q: PageQuery): Page<T> {
  return {
    items: all.slice(q.offset, q.offset + q.limit),
    total: all.length,
    limit: q.limit,
    offset: q.offset,
  }
}

/** Sets X-Total-Count and Link, and returns the items for the reply body. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, page: Page<T>): T[] {
  reply.header('x-total-count', String(page.total))
  const base = new URL(request.url, 'http://x')
  const link = (offset: number, rel: string) => {
    base.searchParams.set('limit', String(page.limit))
    base.searchParams.set('offset', String(offset))
    return `<${base.pathname}${base.search}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page.offset + page.items.length < page.total) links.push(link(page.offset + page.limit, 'next'))
  if (page.offset > 0) links.push(link(Math.max(0, page.offset - page.limit), 'prev'))
  if (links.length) reply.header('link', links.join(', '))
  return page.items
}
