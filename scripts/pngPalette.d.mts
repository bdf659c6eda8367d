/** Returns `png` (8-bit RGB) as a palette PNG of at most 256 colours. */
export function toPalettePng(png: Buffer): Buffer;
