/// Decimal to binary64 by the Eisel–Lemire algorithm (Lemire, "Number Parsing at a Gigabyte per
/// Second", Software: Practice and Experience, 2021, sections 5 and 6): w × 10^q for a significand
/// w of at most 19 digits, from w times a 128-bit approximation of 5^q, rounded to nearest, ties
/// to even, as strtod rounds. Where 128 bits cannot decide the rounding, and for results below the
/// normal range, it gives nil and the caller asks strtod.
enum EiselLemire {
    /// `powersOfFive128`, where reading it takes no reference counting: it lives as long as the process.
    nonisolated(unsafe) private static let powers: UnsafePointer<UInt64> = {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: powersOfFive128.count)
        table.initialize(from: powersOfFive128, count: powersOfFive128.count)
        return UnsafePointer(table)
    }()
    static let smallestPower = -342, largestPower = 308

    /// The double nearest w × 10^q (w > 0), or nil when strtod must decide.
    static func value(_ w: UInt64, _ q: Int) -> Double? {
        guard w != 0, q >= smallestPower else { return 0 }   // below half the smallest subnormal
        guard q <= largestPower else { return .infinity }
        // The significand with its leading one at the top.
        let zeros = w.leadingZeroBitCount
        let normalized = w << UInt64(zeros)
        let entry = 2 * (q - smallestPower)
        var (high, low) = normalized.multipliedFullWidth(by: powers[entry])
        // 55 bits decide the result (52 stored, the hidden one, a rounding bit, a possible leading
        // zero); when the bits below them are all ones, the next word of 5^q may carry into them.
        let below: UInt64 = .max >> 55
        if high & below == below {
            let next = normalized.multipliedFullWidth(by: powers[entry + 1]).high
            let (sum, carry) = low.addingReportingOverflow(next)
            low = sum
            if carry { high &+= 1 }
        }
        // Still all ones below: the truncated power may be off in the last place, which only an
        // exact product (5^q < 2^128, or 5^-q small enough to tie) rules out.
        if low == .max, !(-27...55).contains(q) { return nil }
        let top = Int(high >> 63)
        let shift = UInt64(top + 64 - 52 - 3)
        var mantissa = high >> shift
        // log2(10) ≈ 217706 / 2^16, exact enough over the whole range of q.
        var exponent = ((q &* (152_170 + 65_536)) >> 16) + 63 + top - zeros + 1023
        guard exponent > 0 else { return nil }   // subnormal: strtod
        // Exactly halfway between two doubles (possible only where 5^q is exact in 64 bits): to even.
        if low <= 1, (-4...23).contains(q), mantissa & 3 == 1, mantissa << shift == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << 52 {
            mantissa = 1 << 52
            exponent += 1
        }
        mantissa &= ~(1 << 52)
        guard exponent < 0x7FF else { return .infinity }
        return Double(bitPattern: UInt64(exponent) << 52 | mantissa)
    }
}
