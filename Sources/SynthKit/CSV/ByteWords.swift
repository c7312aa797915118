/// Eight bytes of text at a time, as one 64-bit word: the byte scans of the CSV reader (the UTF-8
/// check, the tokenizer's plain runs, the count of fields) step over words that hold no byte
/// they look for.
enum ByteWords {
    /// The word whose eight bytes are `byte`.
    static func repeating(_ byte: UInt8) -> UInt64 { UInt64(byte) &* 0x0101_0101_0101_0101 }

    /// The eight bytes at `offset`, the first in the lowest bits.
    static func load(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Whether a byte of `word` is zero (Mycroft's test: exact as a yes or no).
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
    }

    /// Whether a byte of `word` equals `pattern`'s (a `repeating` word).
    static func has(_ word: UInt64, _ pattern: UInt64) -> Bool { hasZeroByte(word ^ pattern) }

    /// How many bytes of `word` equal `pattern`'s: a byte of their difference is zero exactly when
    /// its low seven bits and its top bit are, with no carry from one byte to the next.
    static func count(_ word: UInt64, _ pattern: UInt64) -> Int {
        let x = word ^ pattern
        let low = (x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F
        return (~(low | x | 0x7F7F_7F7F_7F7F_7F7F)).nonzeroBitCount
    }

    /// Whether every byte of `word` is ASCII and none is NUL.
    static func isPlainASCII(_ word: UInt64) -> Bool {
        word & 0x8080_8080_8080_8080 == 0 && !hasZeroByte(word)
    }
}
