/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy
/// as 1, 2, 3" (SC 2011).
///
/// A stream is fixed by a 64-bit key (the seed) and a 64-bit stream id; the n-th block of four
/// 32-bit words is a pure function of (key, stream, n). That is what makes SynthLab deterministic
/// across processes and thread counts: every consumer derives its own stream from the trial's seed
/// with `derive(_:)`, and nothing depends on who drew first.
public struct Philox: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    public let stream: UInt64
    private var block: UInt64 = 0
    private var buffer: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    public init(seed: UInt64, stream: UInt64 = 0) {
        self.seed = seed
        self.stream = stream
    }

    /// A statistically independent stream for a named consumer ("independent.column.3", ...).
    public func derive(_ label: String) -> Philox {
        Philox(seed: seed, stream: SplitMix.mix(stream ^ SplitMix.mix(fnv1a(label))))
    }

    /// A statistically independent stream for a numbered consumer.
    public func derive(_ index: UInt64) -> Philox {
        Philox(seed: seed, stream: SplitMix.mix(stream &+ SplitMix.mix(index &+ 0x9E37_79B9_7F4A_7C15)))
    }

    public mutating func next() -> UInt64 {
        let hi = UInt64(nextWord())
        let lo = UInt64(nextWord())
        return hi << 32 | lo
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never 0, so it is safe under `log`.
    public mutating func nextOpenUniform() -> Double {
        (Double(next() >> 12) + 0.5) * 0x1.0p-52
    }

    /// The open-unit Float that `fillOpenUniform` makes of one 32-bit word.
    @inline(__always)
    public static func openUnitFloat(_ word: UInt32) -> Float { (Float(word >> 9) + 0.5) * 0x1.0p-23 }

    /// Fills `buffer` with uniform Floats in (0, 1), one 32-bit word each (23 random bits, centred
    /// in their cell: from 2⁻²⁴ to 1 − 2⁻²⁴, both exact in Float, so neither 0 nor 1 can come out and
    /// log(u), log(−log(u)) stay finite), four per Philox block: the fast path for noise tensors
    /// (dropout masks, Gumbel noise, normal draws).
    public mutating func fillOpenUniform(_ buffer: UnsafeMutableBufferPointer<Float>) {
        @inline(__always) func float(_ word: UInt32) -> Float { Philox.openUnitFloat(word) }
        var index = 0
        while index < buffer.count, used < 4 {
            buffer[index] = float(nextWord())
            index += 1
        }
        while index + 4 <= buffer.count {
            let words = Philox.block(counter: block, stream: stream, key: seed)
            block &+= 1
            buffer[index] = float(words.0)
            buffer[index + 1] = float(words.1)
            buffer[index + 2] = float(words.2)
            buffer[index + 3] = float(words.3)
            index += 4
        }
        while index < buffer.count {
            buffer[index] = float(nextWord())
            index += 1
        }
    }

    private mutating func nextWord() -> UInt32 {
        if used == 4 {
            buffer = Philox.block(counter: block, stream: stream, key: seed)
            block &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return buffer.0
        case 1: return buffer.1
        case 2: return buffer.2
        default: return buffer.3
        }
    }

    /// The ten-round Philox4x32 bijection of the counter (block, stream) under the key `seed`.
    static func block(counter: UInt64, stream: UInt64, key: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter)
        var c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2 = UInt32(truncatingIfNeeded: stream)
        var c3 = UInt32(truncatingIfNeeded: stream >> 32)
        var k0 = UInt32(truncatingIfNeeded: key)
        var k1 = UInt32(truncatingIfNeeded: key >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) * UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) * UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }
}

/// SplitMix64's finalizer: a fast bijective mixer used to turn labels and indices into stream ids.
public enum SplitMix {
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// 64-bit FNV-1a of a string's UTF-8 bytes: stable across runs and platforms (unlike `hashValue`).
public func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}
