/// exp and log over whole arrays, eight Floats or four Doubles at a time, for the inner loops that
/// call them millions of times (Gumbel noise, softmax, mixture responsibilities).
///
/// Each reduces its argument to a small interval and evaluates a short polynomial there: the
/// argument reductions and coefficients are Cephes's (Moshier, "Methods and Programs for
/// Mathematical Functions", 1989): `expf` and `logf` in single precision, `exp` (a Padé form) in
/// double. Their error is within about 2 ulp of the correctly rounded result (the tests measure it
/// against the C library on a million points). Every lane computes the same operations in the same
/// order, so a value's result depends on nothing but the value: the same on every run, at any
/// position in the array.
public enum VectorMath {
    // MARK: Single precision

    /// e^x for each finite lane; 0 below −103.97 (where e^x underflows a Float), e^88.7 above
    /// 88.7 (near the largest Float). The callers pass values at most 0 (logits minus their maximum).
    @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let high: Float = 88.7, low: Float = -103.97207641601562
        let clamped = x.clamped(lowerBound: SIMD8(repeating: low), upperBound: SIMD8(repeating: high))
        // n = round(x / ln 2); r = x − n ln 2, with ln 2 in two parts.
        // Rounded to the nearest integer by adding and subtracting 1.5 · 2²³ (|n| ≤ 150); the
        // integer is then the low bits of the sum.
        let shifter = SIMD8<Float>(repeating: 12_582_912)
        let sum = clamped * 1.44269504088896341 + shifter
        let n = sum - shifter
        var r = clamped - n * 0.693359375
        r = r - n * -2.12194440e-4
        let r2 = r * r
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r2 + r + 1
        // Multiply by 2^n in two steps, so that every n from −150 to 128 gives normal factors.
        let ni = unsafeBitCast(sum, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let half = ni &>> 1
        let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
        let scaleB = unsafeBitCast((ni &- half &+ 127) &<< 23, to: SIMD8<Float>.self)
        var result = y * scaleA * scaleB
        result.replace(with: 0, where: x .< low)
        return result
    }

    /// The natural logarithm of each lane, for positive normal values (the callers' arguments:
    /// uniforms in (0, 1) and their negated logarithms). Zero, negative, subnormal, infinite or NaN
    /// lanes give NaN or −∞/+∞ as the C library would only approximately: callers must not pass them.
    @inline(__always)
    public static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        var e = SIMD8<Float>((bits &>> 23) &- 127)
        // Mantissa in [1, 2), then moved to [√½, √2).
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)
        let large = m .> 1.41421356
        m.replace(with: m * 0.5, where: large)
        e.replace(with: e + 1, where: large)
        let f = m - 1
        let z = f * f
        var p = SIMD8<Float>(repeating: 7.0376836292e-2)
        p = p * f - 1.1514610310e-1
        p = p * f + 1.1676998740e-1
        p = p * f - 1.2420140846e-1
        p = p * f + 1.4249322787e-1
        p = p * f - 1.6668057665e-1
        p = p * f + 2.0000714765e-1
        p = p * f - 2.4999993993e-1
        p = p * f + 3.3333331174e-1
        var y = f * z * p
        y = y + e * -2.12194440e-4
        y = y - 0.5 * z
        var result = f + y + e * 0.693359375
        result.replace(with: -.infinity, where: x .== 0)
        result.replace(with: .nan, where: x .< 0)
        return result
    }

    /// Replaces every value of `values` by its exponential.
    public static func exp(_ values: UnsafeMutableBufferPointer<Float>) {
        map(values, padding: 0, exp as (SIMD8<Float>) -> SIMD8<Float>)
    }

    /// Replaces every value of `values` by its natural logarithm (positive normal values only).
    public static func log(_ values: UnsafeMutableBufferPointer<Float>) {
        map(values, padding: 1, log as (SIMD8<Float>) -> SIMD8<Float>)
    }

    /// The vector function on each full vector of values; the tail goes through the same vector
    /// function in a padded vector, so a value's result does not depend on its position.
    @inline(__always)
    static func map<V: SIMD>(_ values: UnsafeMutableBufferPointer<V.Scalar>, padding: V.Scalar, _ f: (V) -> V) {
        guard let base = values.baseAddress else { return }
        let count = values.count, lanes = V.scalarCount
        var i = 0
        while i + lanes <= count {
            let v = UnsafeRawPointer(base + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(base + i).storeBytes(of: f(v), as: V.self)
            i += lanes
        }
        if i < count {
            var v = V(repeating: padding)
            for k in 0..<(count - i) { v[k] = base[i + k] }
            let y = f(v)
            for k in 0..<(count - i) { base[i + k] = y[k] }
        }
    }

    // MARK: Double precision

    /// e^x for each finite lane; 0 below −745.13, e^709.78 (near the largest Double) above 709.78.
    @inline(__always)
    public static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let high = 709.782712893383973096, low = -745.1332191019412
        let clamped = x.clamped(lowerBound: SIMD4(repeating: low), upperBound: SIMD4(repeating: high))
        let shifter = SIMD4<Double>(repeating: 6_755_399_441_055_744)   // 1.5 · 2⁵²
        let sum = clamped * 1.4426950408889634073599 + shifter
        let n = sum - shifter
        var r = clamped - n * 6.93145751953125e-1
        r = r - n * 1.42860682030941723212e-6
        let xx = r * r
        var px = SIMD4<Double>(repeating: 1.26177193074810590878e-4)
        px = px * xx + 3.02994407707441961300e-2
        px = px * xx + 9.99999999999999999910e-1
        px = px * r
        var qx = SIMD4<Double>(repeating: 3.00198505138664455042e-6)
        qx = qx * xx + 2.52448340349684104192e-3
        qx = qx * xx + 2.27265548208155028766e-1
        qx = qx * xx + 2.00000000000000000009e0
        let y = 1 + 2 * (px / (qx - px))
        let ni = unsafeBitCast(sum, to: SIMD4<Int64>.self) &- 0x4338_0000_0000_0000
        let half = ni &>> 1
        let scaleA = unsafeBitCast((half &+ 1023) &<< 52, to: SIMD4<Double>.self)
        let scaleB = unsafeBitCast((ni &- half &+ 1023) &<< 52, to: SIMD4<Double>.self)
        var result = y * scaleA * scaleB
        result.replace(with: 0, where: x .< low)
        return result
    }

    /// Replaces every value of `values` by its exponential.
    public static func exp(_ values: UnsafeMutableBufferPointer<Double>) {
        map(values, padding: 0, exp as (SIMD4<Double>) -> SIMD4<Double>)
    }
}
