/**
 * A QR code of the verification URL for the terminal, drawn with Unicode half blocks (two module
 * rows per text line) with a quiet zone, readable by phone cameras on dark and light themes.
 * The encoder (qrcode-generator) is loaded lazily: only `--qr-code` pays for it.
 *
 * @module
 */

/** Renders `text` as a QR code, one string with a trailing newline. */
export async function qrCodeText(text: string): Promise<string> {
  const { default: qrcode } = await import("qrcode-generator");
  const qr = qrcode(0, "L");
  qr.addData(text);
  qr.make();
  const size = qr.getModuleCount();
  const quiet = 2;
  const dark = (row: number, col: number) =>
    row >= 0 && col >= 0 && row < size && col < size && qr.isDark(row, col);
  let out = "";
  for (let row = -quiet; row < size + quiet; row += 2) {
    let line = "";
    for (let col = -quiet; col < size + quiet; col++) {
      // Light modules are drawn as filled blocks so the code reads as dark-on-light on any theme.
      const top = !dark(row, col);
      const bottom = !dark(row + 1, col);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    out += `${line}\n`;
  }
  return out;
}
