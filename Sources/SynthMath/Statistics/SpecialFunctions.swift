import Foundation

/// Φ, the standard normal CDF.
public func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// Φ⁻¹, the standard normal quantile: Acklam's rational approximation refined by one Halley step
/// (relative error below 1e-15 on (0, 1)). Returns ∓∞ at 0 and 1.
public func normalQuantile(_ p: Double) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
        let q = p - 0.5, r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
        let q = (-2 * log(1 - p)).squareRoot()
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // One Halley step on Φ(x) − p.
    let e = normalCDF(x) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
}

/// ψ, the digamma function: recurrence up to 10, then the asymptotic series.
public func digamma(_ value: Double) -> Double {
    var x = value, result = 0.0
    while x < 10 {
        result -= 1 / x
        x += 1
    }
    let f = 1 / (x * x)
    result += log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
    return result
}

/// log Γ(x) for x > 0.
public func logGamma(_ x: Double) -> Double { lgamma(x) }

/// log(Σ exp(values)), computed stably.
public func logSumExp(_ values: [Double]) -> Double {
    guard let top = values.max(), top.isFinite else { return values.max() ?? -.infinity }
    return top + log(values.reduce(0) { $0 + exp($1 - top) })
}

/// P(a, x), the regularized lower incomplete gamma function (series below a + 1, Lentz's continued
/// fraction above).
public func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    if x < a + 1 { return min(1, lowerGammaSeries(a, x)) }
    return max(0, 1 - upperGammaFraction(a, x))
}

/// Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function, computed directly where
/// it is small so that tail probabilities keep their relative precision.
public func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 1 }
    if x < a + 1 { return max(0, 1 - lowerGammaSeries(a, x)) }
    return min(1, upperGammaFraction(a, x))
}

/// The survival function of the chi-squared distribution with `degrees` degrees of freedom.
public func chiSquaredSurvival(_ x: Double, degrees: Double) -> Double {
    regularizedGammaQ(degrees / 2, x / 2)
}

private func lowerGammaSeries(_ a: Double, _ x: Double) -> Double {
    let logPrefix = a * log(x) - x - lgamma(a)
    var term = 1 / a, sum = term, n = a
    for _ in 0..<1000 {
        n += 1
        term *= x / n
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
    }
    return sum * exp(logPrefix)
}

private func upperGammaFraction(_ a: Double, _ x: Double) -> Double {
    let logPrefix = a * log(x) - x - lgamma(a)
    var b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d
    for i in 1...1000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < 1e-300 { d = 1e-300 }
        c = b + an / c
        if abs(c) < 1e-300 { c = 1e-300 }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return exp(logPrefix) * h
}

/// I_x(a, b), the regularized incomplete beta function (continued fraction, with the symmetry
/// I_x(a, b) = 1 − I_{1−x}(b, a) where it converges faster).
public func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
    let logFront: Double = logBeta + a * log(x) + b * log(1 - x)
    func fraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < 1e-300 { d = 1e-300 }
        d = 1 / d
        var h = d
        for m in 1...1000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < 1e-300 { d = 1e-300 }
            c = 1 + aa / c; if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < 1e-300 { d = 1e-300 }
            c = 1 + aa / c; if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
    if x < (a + 1) / (a + b + 2) { return exp(logFront) * fraction(x, a, b) / a }
    return 1 - exp(logFront) * fraction(1 - x, b, a) / b
}

/// Student's t distribution with `df` degrees of freedom.
public enum StudentT {
    /// P(|T| ≥ |t|), the two-sided tail: I_{ν/(ν+t²)}(ν/2, 1/2).
    public static func twoSidedTail(_ t: Double, df: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        return regularizedBeta(df / (df + t * t), df / 2, 0.5)
    }

    /// The quantile of probability `p` in (0, 1), by bisection on the tail to 1e-12.
    public static func quantile(_ p: Double, df: Double) -> Double {
        precondition(p > 0 && p < 1 && df > 0, "Student's t quantile needs p in (0, 1) and df > 0")
        if p == 0.5 { return 0 }
        // For p above ½, t solves twoSidedTail(t) = 2(1 − p); below ½ by symmetry.
        let tail = 2 * min(p, 1 - p)
        var low = 0.0, high = 1.0
        while twoSidedTail(high, df: df) > tail { high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if twoSidedTail(middle, df: df) > tail { low = middle } else { high = middle }
            if high - low <= 1e-12 * max(1, high) { break }
        }
        let t = (low + high) / 2
        return p > 0.5 ? t : -t
    }
}

/// A paired t-test on differences (one per pair): their mean, its 95 % interval and the two-sided
/// p-value of "the mean difference is 0" (scipy.stats.ttest_1samp on the differences). Needs two
/// differences or more.
public struct PairedTTest: Sendable, Equatable {
    public let mean: Double, low: Double, high: Double, p: Double

    public init?(_ differences: [Double]) {
        let n = differences.count
        guard n >= 2 else { return nil }
        let m = differences.reduce(0, +) / Double(n)
        let sd = (differences.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)).squareRoot()
        let error = sd / Double(n).squareRoot()
        let half = StudentT.quantile(0.975, df: Double(n - 1)) * error
        (mean, low, high) = (m, m - half, m + half)
        p = error > 0 ? StudentT.twoSidedTail(m / error, df: Double(n - 1)) : (m == 0 ? 1 : 0)
    }

    /// Holm's step-down adjustment of a family of p-values, in their order: the k-th smallest
    /// becomes max over j ≤ k of min(1, (m − j + 1) p₍ⱼ₎).
    public static func holm(_ p: [Double]) -> [Double] {
        let order = p.indices.sorted { p[$0] < p[$1] }
        var adjusted = [Double](repeating: 0, count: p.count)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(p.count - rank) * p[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
