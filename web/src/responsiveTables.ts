/**
 * dkfds' `table--responsive-headers` stacks table cells on phones and labels each cell from its
 * `data-title`. Rather than threading column titles through every table, the titles are copied
 * from each table's header row whenever the page changes.
 */
function label(root: ParentNode): void {
  for (const table of root.querySelectorAll<HTMLTableElement>('table.table--responsive-headers')) {
    const titles = Array.from(table.tHead?.rows[0]?.cells ?? [], (c) => c.textContent?.trim() ?? '')
    for (const body of Array.from(table.tBodies)) {
      for (const row of Array.from(body.rows)) {
        Array.from(row.cells).forEach((cell, i) => {
          const t = titles[i] ?? ''
          if (cell.getAttribute('data-title') !== t) cell.setAttribute('data-title', t)
        })
      }
    }
  }
}

export function watchResponsiveTables(root: HTMLElement): void {
  let scheduled = false
  const run = () => {
    scheduled = false
    label(root)
  }
  new MutationObserver(() => {
    if (scheduled) return
    scheduled = true
    requestAnimationFrame(run)
  }).observe(root, { childList: true, subtree: true })
  run()
}
