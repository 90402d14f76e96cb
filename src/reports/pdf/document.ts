/**
 * PDF building blocks on pdfkit: A4 pages, headings, tables that break across pages, ECharts SVG
 * embedded as vector graphics, and "Side X af Y" footers written once all pages exist.
 */
import PDFDocument from 'pdfkit'
import SVGtoPDF from 'svg-to-pdfkit'

export const MARGIN = 48
const PAGE_BOTTOM_RESERVE = 40

export interface ReportDocument {
  doc: PDFKit.PDFDocument
  /** Resolves to the finished PDF bytes. */
  finish(footerLeft: string): Promise<Buffer>
}

export function createDocument(title: string, banner: string | null): ReportDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + PAGE_BOTTOM_RESERVE, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: { Title: title, Creator: 'Tillid', Producer: 'Tillid' },
    lang: 'da-DK',
  } as PDFKit.PDFDocumentOptions)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  const drawBanner = () => {
    if (!banner) return
    const { x, y } = { x: doc.x, y: doc.y }
    doc.save().rect(0, 0, doc.page.width, 18).fill('#b8292f').restore()
    doc.font('Helvetica-Bold').fontSize(8).fillColor('#ffffff').text(banner, MARGIN, 5, { lineBreak: false })
    doc.fillColor('#1a1a1a').font('Helvetica')
    doc.x = x
    doc.y = y
  }
  doc.on('pageAdded', drawBanner)
  drawBanner()
  doc.font('Helvetica').fillColor('#1a1a1a')
  return {
    doc,
    async finish(footerLeft: string) {
      const range = doc.bufferedPageRange()
      for (let i = range.start; i < range.start + range.count; i++) {
        doc.switchToPage(i)
        const bottom = doc.page.margins.bottom
        doc.page.margins.bottom = 0
        const y = doc.page.height - MARGIN - 10
        doc.font('Helvetica').fontSize(8).fillColor('#555555')
        doc.text(footerLeft, MARGIN, y, { lineBreak: false })
        const label = `Side ${i + 1} af ${range.count}`
        doc.text(label, doc.page.width - MARGIN - doc.widthOfString(label), y, { lineBreak: false })
        doc.page.margins.bottom = bottom
      }
      doc.end()
      return done
    },
  }
}

function contentWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - MARGIN * 2
}

function ensureSpace(doc: PDFKit.PDFDocument, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage()
}

/** keepWith: height of what must follow on the same page (a table's first rows, a chart). */
export function heading(doc: PDFKit.PDFDocument, text: string, size = 14, keepWith = 60): void {
  ensureSpace(doc, size * 3 + keepWith)
  doc.moveDown(0.6)
  doc.font('Helvetica-Bold').fontSize(size).fillColor('#004b87').text(text, MARGIN)
  doc.font('Helvetica').fillColor('#1a1a1a').moveDown(0.3)
}

export function paragraph(doc: PDFKit.PDFDocument, text: string, size = 9): void {
  doc
    .font('Helvetica')
    .fontSize(size)
    .fillColor('#1a1a1a')
    .text(text, MARGIN, undefined, { width: contentWidth(doc) })
  doc.moveDown(0.4)
}

export function chart(doc: PDFKit.PDFDocument, svg: string, width: number, height: number): void {
  ensureSpace(doc, height + 10)
  const y = doc.y
  SVGtoPDF(doc, svg, MARGIN, y, { width, height, assumePt: true })
  doc.x = MARGIN
  doc.y = y + height + 8
}

export interface Column {
  header: string
  /** Share of the content width. */
  width: number
  align?: 'left' | 'right'
}

/** A table with a repeated header on every page it spans; rows are already formatted strings. */
export function table(doc: PDFKit.PDFDocument, columns: Column[], rows: string[][], fontSize = 8): void {
  const total = contentWidth(doc)
  const widths = columns.map((c) => c.width * total)
  const pad = 3
  const rowHeight = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(fontSize)
    return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - pad * 2 }))) + pad * 2
  }
  const drawRow = (cells: string[], bold: boolean, shade: boolean) => {
    const h = rowHeight(cells, bold)
    const y = doc.y
    if (shade)
      doc
        .save()
        .rect(MARGIN, y, total, h)
        .fill(bold ? '#dce6f0' : '#f4f6f8')
        .restore()
    let x = MARGIN
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(fontSize)
      .fillColor('#1a1a1a')
    cells.forEach((c, i) => {
      doc.text(c, x + pad, y + pad, { width: widths[i]! - pad * 2, align: columns[i]!.align ?? 'left' })
      x += widths[i]!
    })
    doc.x = MARGIN
    doc.y = y + h
  }
  const header = columns.map((c) => c.header)
  ensureSpace(doc, rowHeight(header, true) * 2)
  drawRow(header, true, true)
  rows.forEach((r, idx) => {
    if (doc.y + rowHeight(r, false) > doc.page.height - doc.page.margins.bottom) {
      doc.addPage()
      drawRow(header, true, true)
    }
    drawRow(r, false, idx % 2 === 1)
  })
  doc.moveDown(0.5)
}
