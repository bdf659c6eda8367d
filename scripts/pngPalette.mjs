// Shrinks a screenshot for the docs: an 8-bit RGB PNG (as Chromium writes it) becomes a
// 256-colour palette PNG. UI screenshots use few colours (flat fills, anti-aliased text), so
// the 256 most frequent ones cover nearly every pixel and the rest map to the nearest: the
// file gets about 3x smaller with no visible change. No dependency: node:zlib only.
import { crc32, deflateSync, inflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** Decodes a non-interlaced 8-bit RGB PNG into `{ width, height, pixels }` (3 bytes a pixel). */
function decodeRgb(png) {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let header;
  const idat = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString("ascii", off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === "IHDR") header = data;
    else if (type === "IDAT") idat.push(data);
    off += 12 + len;
  }
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  if (header[8] !== 8 || header[9] !== 2 || header[12] !== 0) throw new Error("expected a non-interlaced 8-bit RGB PNG");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const i = y * stride + x;
      const a = x >= 3 ? pixels[i - 3] : 0;
      const b = y > 0 ? pixels[i - stride] : 0;
      const c = x >= 3 && y > 0 ? pixels[i - stride - 3] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      pixels[i] = (raw[y * (stride + 1) + 1 + x] + predictor) & 255;
    }
  }
  return { width, height, pixels };
}

/** Returns `png` (8-bit RGB) as a palette PNG of at most 256 colours. */
export function toPalettePng(png) {
  const { width, height, pixels } = decodeRgb(png);
  const counts = new Map();
  for (let i = 0; i < pixels.length; i += 3) {
    const key = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const palette = [...counts].sort((x, y) => y[1] - x[1]).slice(0, 256).map(([key]) => key);
  const slot = new Map(palette.map((key, i) => [key, i]));
  for (const key of counts.keys()) {
    if (slot.has(key)) continue;
    let best = 0;
    let bestDistance = Infinity;
    palette.forEach((p, i) => {
      const d = ((key >> 16) - (p >> 16)) ** 2 + (((key >> 8) & 255) - ((p >> 8) & 255)) ** 2 + ((key & 255) - (p & 255)) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    slot.set(key, best);
  }
  // Filter 0 on every row: palette indices do not predict well from their neighbours.
  const rows = Buffer.alloc(height * (width + 1));
  for (let y = 0, i = 0; y < height; y++) for (let x = 0; x < width; x++, i += 3) rows[y * (width + 1) + 1 + x] = slot.get((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach((key, i) => plte.set([key >> 16, (key >> 8) & 255, key & 255], i * 3));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 3, 0, 0, 0], 8);
  return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("PLTE", plte), chunk("IDAT", deflateSync(rows, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}
