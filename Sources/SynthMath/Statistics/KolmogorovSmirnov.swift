import Foundation

/// The two-sample Kolmogorov–Smirnov statistic D = sup |F₁(x) − F₂(x)| over the pooled sample,
/// with F the right-continuous empirical CDFs. This is the statistic of `scipy.stats.ks_2samp`
/// (two-sided), computed the same way (each CDF value as count / n) so results agree to the bit.
///
/// NaNs are not allowed: drop missing values first. Returns nil when either sample is empty.
public func ksStatistic(_ first: [Double], _ second: [Double]) -> Double? {
    guard !first.isEmpty, !second.isEmpty else { return nil }
    let a = first.sorted(), b = second.sorted()
    return ksStatistic(sortedFirst: a, sortedSecond: b)
}

/// `ksStatistic` for samples that are already sorted ascending.
public func ksStatistic(sortedFirst a: [Double], sortedSecond b: [Double]) -> Double? {
    guard !a.isEmpty, !b.isEmpty else { return nil }
    let n1 = Double(a.count), n2 = Double(b.count)
    var i = 0, j = 0
    var maximum = 0.0
    // Visit each distinct pooled value once; after consuming every copy of it from both samples,
    // i and j are the right-continuous counts at that value.
    while i < a.count || j < b.count {
        let x: Double
        if j >= b.count || (i < a.count && a[i] <= b[j]) { x = a[i] } else { x = b[j] }
        while i < a.count && a[i] <= x { i += 1 }
        while j < b.count && b[j] <= x { j += 1 }
        let difference = Swift.abs(Double(i) / n1 - Double(j) / n2)
        if difference > maximum { maximum = difference }
    }
    return maximum
}

/// The two-sided two-sample Kolmogorov–Smirnov test as `scipy.stats.ks_2samp(a, b)` defines it
/// (`method="auto"`): the exact null distribution when neither sample has more than 10,000 values,
/// Smirnov's asymptotic one (the one-sample Kolmogorov distribution at n = round(mn / (m + n)))
/// otherwise or when the exact computation fails.
public struct KSTestResult: Sendable, Equatable {
    /// D; in the exact case rounded to the lattice h / lcm(m, n), as scipy reports it.
    public var statistic: Double
    public var pValue: Double
    public var exact: Bool
}

/// Runs the test on two samples without NaNs; nil when either is empty.
public func ksTwoSampleTest(_ first: [Double], _ second: [Double]) -> KSTestResult? {
    guard let d = ksStatistic(first, second) else { return nil }
    return ksTwoSamplePValue(statistic: d, sizes: first.count, second.count)
}

/// The p-value of a two-sided two-sample statistic `d` for samples of the given sizes.
public func ksTwoSamplePValue(statistic d: Double, sizes n1: Int, _ n2: Int) -> KSTestResult {
    precondition(n1 > 0 && n2 > 0, "ksTwoSamplePValue needs non-empty samples")
    if max(n1, n2) <= 10_000, let exact = KolmogorovSmirnovExact.twoSided(n1, n2, d) {
        return KSTestResult(statistic: exact.statistic, pValue: exact.pValue, exact: true)
    }
    let (m, n) = (Double(max(n1, n2)), Double(min(n1, n2)))
    let effective = (m * n / (m + n)).rounded(.toNearestOrEven)
    let p = kolmogorovSurvival(Int(effective), d)
    return KSTestResult(statistic: d, pValue: min(max(p, 0), 1), exact: false)
}

enum KolmogorovSmirnovExact {
    /// Pr(D ≥ d) under the null by lattice-path counting (Hodges' inside method in the form that
    /// carries probabilities rather than counts); nil when it is not a probability.
    static func twoSided(_ n1: Int, _ n2: Int, _ d: Double) -> (statistic: Double, pValue: Double)? {
        let g = gcd(n1, n2)
        let lcm = Double(n1 / g) * Double(n2)
        let h = Int((d * lcm).rounded(.toNearestOrEven))
        let statistic = Double(h) / lcm
        if h == 0 { return (statistic, 1) }
        let p = n1 == n2 ? outsideSquare(n1, h) : outsideStrip(n1, n2, g, h)
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return (statistic, p)
    }

    /// Equal sizes: 2 Σ_k (−1)^(k−1) C(2n, n − kh) / C(2n, n), summed Horner-fashion from the
    /// innermost term so nothing cancels.
    static func outsideSquare(_ n: Int, _ h: Int) -> Double {
        var total = 0.0
        var k = n / h
        while k >= 0 {
            var ratio = 1.0
            for j in 0..<h {
                ratio = Double(n - k * h - j) * ratio / Double(n + k * h + j + 1)
            }
            total = ratio * (1 - total)
            k -= 1
        }
        return 2 * total
    }

    /// Unequal sizes: the proportion of monotone lattice paths from (0, 0) to (m, n) that leave
    /// the strip |x/m − y/n| < h / lcm(m, n), one column at a time over a sliding window.
    static func outsideStrip(_ first: Int, _ second: Int, _ g: Int, _ h: Int) -> Double {
        let (m, n) = first >= second ? (first, second) : (second, first)
        let mg = m / g, ng = n / g
        var minJ = 0
        var maxJ = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var currentLength = maxJ - minJ
        let length = min(2 * maxJ + 2, n + 1)
        var column = [Double](repeating: 1, count: length)
        for j in minJ..<maxJ { column[j] = 0 }
        for i in 1...m {
            let lastMinJ = minJ, lastLength = currentLength
            minJ = min(max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0), n)
            maxJ = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxJ <= minJ { return 1 }
            var value = minJ == 0 ? 0.0 : 1.0
            for offset in 0..<(maxJ - minJ) {
                let j = offset + minJ
                value = (column[offset + minJ - lastMinJ] * Double(i) + value * Double(j)) / Double(i + j)
                column[offset] = value
            }
            currentLength = maxJ - minJ
            if lastLength > currentLength {
                for index in currentLength..<(currentLength + lastLength - currentLength) { column[index] = 1 }
            }
        }
        return column[maxJ - minJ - 1]
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}

// MARK: - The one-sample two-sided Kolmogorov distribution

/// Pr(D_n ≥ x) for the two-sided one-sample statistic D_n, by the method scipy's `kstwo.sf`
/// chooses for (n, x): Ruben–Gambino's closed forms at the ends, twice Smirnov's one-sided
/// probability in the upper tail, Durbin's matrix (Marsaglia–Tsang–Wang) or Pomeranz's recursion
/// for small n, and Pelz–Good's expansion for large n.
public func kolmogorovSurvival(_ n: Int, _ x: Double) -> Double {
    precondition(n > 0, "kolmogorovSurvival needs n > 0")
    if x >= 1 { return 0 }
    if x <= 0 { return 1 }
    let nd = Double(n)
    let t = nd * x
    if t <= 1 {
        if t <= 0.5 { return 1 }
        let cdf: Double
        if n <= 140 {
            var product = 1.0
            for i in 1...n { product *= Double(i) * (1 / nd) * (2 * t - 1) }
            cdf = product
        } else {
            cdf = exp(logFactorialOverPower(nd) + nd * log(2 * t - 1))
        }
        return clamp01(1 - cdf)
    }
    if t >= nd - 1 { return clamp01(2 * pow(1 - x, nd)) }
    if x >= 0.5 { return clamp01(2 * smirnovSurvival(n, x)) }
    let nxSquared = t * x
    if n <= 140 {
        if nxSquared <= 0.754693 { return clamp01(1 - durbinMatrixCDF(n, x)) }
        if nxSquared <= 4 { return clamp01(1 - pomeranzCDF(n, x)) }
        return clamp01(2 * smirnovSurvival(n, x))
    }
    if nxSquared >= 370 { return 0 }
    if nxSquared >= 2.2 { return clamp01(2 * smirnovSurvival(n, x)) }
    let cdf = n <= 100_000 && nd * pow(x, 1.5) <= 1.4 ? durbinMatrixCDF(n, x) : pelzGoodCDF(n, x)
    return clamp01(1 - cdf)
}

/// Pr(D⁺_n ≥ x), Smirnov's one-sided probability by Birnbaum and Tingey's sum
/// x Σ_{v ≤ n(1−x)} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v), every term in logarithms.
public func smirnovSurvival(_ n: Int, _ x: Double) -> Double {
    if x >= 1 { return 0 }
    if x <= 0 { return 1 }
    let nd = Double(n)
    let last = Int((nd * (1 - x)).rounded(.down))
    let logNFactorial = logGamma(nd + 1)
    var sum = 0.0
    for v in 0...max(last, 0) {
        let vd = Double(v)
        let low = x + vd / nd, high = 1 - low
        guard high > 0 || v == n else { continue }
        var logTerm = logNFactorial - logGamma(vd + 1) - logGamma(nd - vd + 1) + (vd - 1) * log(low)
        if v < n { logTerm += (nd - vd) * log(high) }
        if logTerm > -745 { sum += exp(logTerm) }
    }
    return clamp01(sum * x)
}

private func clamp01(_ p: Double) -> Double { min(max(p, 0), 1) }

/// log(n! / nⁿ) by Stirling's series.
private func logFactorialOverPower(_ n: Double) -> Double {
    let coefficients = [-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
                        8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
                        -2.7777777777777777778e-3, 8.3333333333333333333e-2]
    let r = 1 / n, z = r / n
    var series = 0.0
    for c in coefficients { series = series * z + c }
    return log(n) / 2 - n + log(2 * Double.pi) / 2 + r * series
}

private let scaleUp = 0x1p128, scaleDown = 0x1p-128

/// Durbin's matrix formula, with Marsaglia, Tsang and Wang's scaling: Pr(D_n < x) = n!/nⁿ (Hⁿ)_kk.
private func durbinMatrixCDF(_ n: Int, _ d: Double) -> Double {
    if d >= 1 { return 1 }
    let nd = Double(n) * d
    if nd <= 0.5 { return 0 }
    let k = Int(nd.rounded(.up))
    let h = Double(k) - nd
    let m = 2 * k - 1
    var v = (1...m).map { 1 - pow(h, Double($0)) }
    var w = [Double](repeating: 0, count: m)
    var factor = 1.0
    for j in 1...m {
        w[j - 1] = factor
        factor /= Double(j)
        v[j - 1] *= factor
    }
    let tail = pow(max(2 * h - 1, 0), Double(m)) - 2 * pow(h, Double(m))
    v[m - 1] = (1 + tail) * factor
    var matrix = [Double](repeating: 0, count: m * m)
    for i in 1..<max(m, 1) {
        for row in (i - 1)..<m { matrix[row * m + i] = w[row - (i - 1)] }
    }
    for row in 0..<m { matrix[row * m] = v[row] }
    for col in 0..<m { matrix[(m - 1) * m + col] = v[m - 1 - col] }

    var power = [Double](repeating: 0, count: m * m)
    for i in 0..<m { power[i * m + i] = 1 }
    var exponent = 0, matrixExponent = 0
    var remaining = n
    while remaining > 0 {
        if remaining % 2 == 1 {
            power = multiply(power, matrix, m)
            exponent += matrixExponent
        }
        matrix = multiply(matrix, matrix, m)
        matrixExponent *= 2
        if Swift.abs(matrix[(k - 1) * m + (k - 1)]) > scaleUp {
            for index in matrix.indices { matrix[index] /= scaleUp }
            matrixExponent += 128
        }
        remaining /= 2
    }
    var p = power[(k - 1) * m + (k - 1)]
    for i in 1...n {
        p = Double(i) * p / Double(n)
        if Swift.abs(p) < scaleDown {
            p *= scaleUp
            exponent -= 128
        }
    }
    if exponent != 0 { p = scalbn(p, exponent) }
    return clamp01(p)
}

private func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
    var c = [Double](repeating: 0, count: m * m)
    for i in 0..<m {
        for l in 0..<m {
            let a_il = a[i * m + l]
            if a_il == 0 { continue }
            for j in 0..<m { c[i * m + j] += a_il * b[l * m + j] }
        }
    }
    return c
}

/// The row bounds of Pomeranz's recursion at step i.
private func pomeranzBounds(_ i: Int, _ n: Int, _ ll: Int, _ ceilF: Int, _ roundF: Int) -> (Int, Int) {
    var j1: Int, j2: Int
    if i == 0 {
        (j1, j2) = (-ll - ceilF - 1, ll + ceilF - 1)
    } else {
        let half = (i + 1) / 2, odd = (i + 1) % 2 == 0
        if odd {
            if half == n + 1 {
                (j1, j2) = (n - ll - ceilF - 1, n + ll + ceilF - 1)
            } else {
                (j1, j2) = (half - 1 - ll - roundF - 1, half + ll - 1 + ceilF - 1)
            }
        } else {
            (j1, j2) = (half - 1 - ll - 1, half + ll + roundF - 1)
        }
    }
    return (max(j1 + 2, 0), min(j2, n))
}

/// Pomeranz's recursion for Pr(D_n < x), with rescaling to stay in range.
private func pomeranzCDF(_ n: Int, _ x: Double) -> Double {
    let t = Double(n) * x
    let ll = Int(t.rounded(.down))
    let f = t - Double(ll)
    let g = min(f, 1 - f)
    let ceilF = f > 0 ? 1 : 0, roundF = f > 0.5 ? 1 : 0
    let count = 2 * (ll + 1)
    var gPower = [Double](repeating: 1, count: count)
    var twoGPower = gPower, oneMinusTwoGPower = gPower
    let nd = Double(n)
    for m in 1..<count {
        gPower[m] = gPower[m - 1] * (g / nd) / Double(m)
        twoGPower[m] = twoGPower[m - 1] * (2 * g / nd) / Double(m)
        oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * ((1 - 2 * g) / nd) / Double(m)
    }
    var previous = [Double](repeating: 0, count: count)
    var current = [Double](repeating: 0, count: count)
    current[0] = 1
    var previousStart = 0, currentStart = 0
    var exponent = 0
    var (j1, j2) = pomeranzBounds(0, n, ll, ceilF, roundF)
    for i in 1...(2 * n + 1) {
        let k1 = j1
        swap(&previous, &current)
        swap(&previousStart, &currentStart)
        for index in current.indices { current[index] = 0 }
        (j1, j2) = pomeranzBounds(i, n, ll, ceilF, roundF)
        let powers = i == 1 || i == 2 * n + 1 ? gPower : (i % 2 == 1 ? twoGPower : oneMinusTwoGPower)
        let width = j2 - k1 + 1
        if width > 0 {
            // The full convolution of previous[k1 − start ..< +width] (cut at the array's end) with
            // powers[..< width], from which entries j1 − k1 ..< j2 − k1 + 1 are kept.
            let sliceStart = k1 - previousStart
            let sliceEnd = min(sliceStart + width, count)
            let keep = j2 - j1 + 1
            let offset = j1 - k1
            for out in 0..<keep {
                let position = out + offset
                var total = 0.0
                for a in max(0, position - (width - 1))...position where sliceStart + a < sliceEnd && position - a < count {
                    total += previous[sliceStart + a] * powers[position - a]
                }
                current[out] = total
            }
            if let top = current.max(), top > 0, top < scaleDown {
                for index in current.indices { current[index] *= scaleUp }
                exponent -= 128
            }
            currentStart = previousStart + j1 - k1
        }
    }
    var answer = current[n - currentStart]
    for m in 1...n {
        if Swift.abs(answer) > scaleUp {
            answer *= scaleDown
            exponent += 128
        }
        answer *= Double(m)
    }
    if exponent != 0 { answer = scalbn(answer, exponent) }
    return clamp01(answer)
}

/// Pelz and Good's asymptotic expansion of Pr(D_n < x) to order n^(−3/2).
private func pelzGoodCDF(_ n: Int, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let piSquared = Double.pi * Double.pi, piFour = piSquared * piSquared, piSix = piFour * piSquared
    let z = Double(n).squareRoot() * x
    let z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2
    let qLog = -piSquared / 8 / z2
    if qLog < -708 { return 0 }
    var q = exp(qLog)
    let k1a = -z2, k1b = piSquared / 4
    let k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * piSquared / 4, k2c = piFour * (1 - 2 * z2) / 16
    let k3d = piSix * (5 - 30 * z2) / 64, k3c = piFour * (-60 * z2 + 212 * z4) / 16
    let k3b = piSquared * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8)
    var terms = [0.0, 0.0, 0.0, 0.0]
    let maxK = Int((16 * z / Double.pi).rounded(.up))
    if maxK >= 1 {
        for k in stride(from: maxK, through: 1, by: -1) {
            let m = Double(2 * k - 1)
            let m2 = m * m, m4 = m2 * m2, m6 = m4 * m2
            let qPower = pow(q, Double(8 * k))
            let coefficients = [1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6]
            for index in 0..<4 { terms[index] = terms[index] * qPower + coefficients[index] }
        }
    }
    let root2Pi = (2 * Double.pi).squareRoot()
    let divisors = [z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)]
    for index in 0..<4 { terms[index] = terms[index] * q * root2Pi / divisors[index] }
    q = exp(-piSquared / 2 / z2)
    var k2Extra = 0.0, k3Extra = 0.0
    let root3z = 3.0.squareRoot() * z
    if maxK >= 1 {
        for k in stride(from: maxK, through: 1, by: -1) {
            let kd = Double(k), k2 = kd * kd
            let power = pow(q, k2)
            k2Extra += k2 * power
            let kPi = Double.pi * kd
            k3Extra += (root3z + kPi) * (root3z - kPi) * k2 * power
        }
    }
    terms[2] += k2Extra * piSquared * root2Pi / (-36 * z3)
    terms[3] += k3Extra * piSquared * root2Pi / (216 * z6)
    var sum = 0.0
    for index in 0..<4 { sum += terms[index] / pow(Double(n), Double(index) / 2) }
    return sum
}
