/** The formats Sketchpad reads, as named to people, keyed by what the decoder library calls them. */
export const readableFormats = {
  wav: 'WAV',
  flac: 'FLAC',
  mp3: 'MP3',
  oga: 'OGG Vorbis',
  opus: 'Opus',
} as const;
export type ReadableFormat = keyof typeof readableFormats;

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** Detects the container from its first bytes, or returns null; `what` names a known non-audio file. */
export function detectFormat(head: Uint8Array): { format: ReadableFormat | null; what?: string } {
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 4) === 'WAVE') return { format: 'wav' };
  if (ascii(head, 0, 4) === 'RF64' && ascii(head, 8, 4) === 'WAVE') return { format: 'wav' };
  if (ascii(head, 0, 4) === 'fLaC') return { format: 'flac' };
  if (ascii(head, 0, 4) === 'OggS') {
    const page = ascii(head, 0, Math.min(head.length, 200));
    if (page.includes('OpusHead')) return { format: 'opus' };
    if (page.includes('vorbis')) return { format: 'oga' };
    if (page.includes('fLaC')) return { format: null, what: 'an Ogg FLAC stream' };
    return { format: null, what: 'an Ogg stream with an unknown codec' };
  }
  if (ascii(head, 0, 3) === 'ID3') return { format: 'mp3' };
  // An MPEG audio frame header: 11 sync bits, then layer III.
  if (head[0] === 0xff && head[1] !== undefined && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) === 0x02) {
    return { format: 'mp3' };
  }
  if (ascii(head, 4, 4) === 'ftyp') return { format: null, what: 'an MP4/M4A file' };
  if (ascii(head, 0, 4) === 'FORM') return { format: null, what: 'an AIFF file' };
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    return { format: null, what: 'a WebM/Matroska file' };
  }
  if (ascii(head, 0, 4) === '%PDF') return { format: null, what: 'a PDF document' };
  if (head[0] === 0x89 && ascii(head, 1, 3) === 'PNG') return { format: null, what: 'a PNG image' };
  if (head[0] === 0xff && head[1] === 0xd8) return { format: null, what: 'a JPEG image' };
  if (ascii(head, 0, 2) === 'PK') return { format: null, what: 'a zip archive' };
  return { format: null };
}

/**
 * For WAV: the length the header declares, so that a truncated file can be told apart from a
 * short one. Returns null where the header cannot say (streamed WAV, RF64, odd chunks).
 */
export function wavDeclaredLength(head: Uint8Array): { frames: number; sampleRate: number } | null {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let offset = 12;
  let blockAlign = 0;
  let sampleRate = 0;
  while (offset + 8 <= head.length) {
    const id = ascii(head, offset, 4);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 24 <= head.length) {
      sampleRate = view.getUint32(offset + 12, true);
      blockAlign = view.getUint16(offset + 20, true);
    }
    if (id === 'data') {
      if (!blockAlign || !sampleRate || size === 0 || size === 0xffffffff) return null;
      return { frames: Math.floor(size / blockAlign), sampleRate };
    }
    offset += 8 + size + (size % 2);
  }
  return null;
}
