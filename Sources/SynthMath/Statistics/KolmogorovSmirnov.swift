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
