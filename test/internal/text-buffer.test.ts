import * as fc from 'fast-check';
import { TextBuffer } from '../../src/internal/text-buffer';

function through(pieces: readonly string[]): string {
  const buffer = new TextBuffer();
  for (const piece of pieces) buffer.append(piece);
  return buffer.toString();
}

describe('TextBuffer', () => {
  test('an empty buffer reads as the empty string', () => {
    expect(through([])).toBe('');
    expect(through(['', ''])).toBe('');
  });

  test('reads back exactly what was appended, across growth and in any script', () => {
    // Pieces of every size up to past the first megabyte, with 2-, 3- and 4-byte UTF-8 characters (surrogate pairs).
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('é', '€', '😀', '---\n', 'a'.repeat(300_000), 'é'.repeat(200_000)),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
      expect(through(pieces)).toBe(pieces.join(''));
    }), { numRuns: 300 });
  });

  test('a lone surrogate, which has no UTF-8 form, is kept as it was appended', () => {
    const pieces = ['ab€', 'x\uD800', 'y', '\uDC00z', '😀'];
    expect(through(pieces)).toBe(pieces.join(''));
    fc.assert(fc.property(fc.array(fc.oneof(
      fc.string({ unit: fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c)), maxLength: 6 }),
      fc.string({ maxLength: 6 }),
    ), { maxLength: 10 }), (parts) => {
      expect(through(parts)).toBe(parts.join(''));
    }), { numRuns: 500 });
  });

  test('a piece larger than the buffer and many small pieces after it', () => {
    const big = '😀'.repeat(1_000_000); // 4 MB of UTF-8 in one piece
    const small = Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`);
    expect(through([big, ...small])).toBe(big + small.join(''));
  });
});
