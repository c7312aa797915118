import Foundation
import SynthMath

/// Column-level comparisons of a real and a synthetic sample. Each returns nil when the measure is
/// undefined for its input; the validators turn that into "not applicable" with a reason.
public enum Fidelity {
    /// SDMetrics' total variation distance (TVComplement's): missing cells dropped, frequencies over
    /// the real column's labels, a label seen only in the synthetic column counting 1e-6 on the real
    /// side (its regularization), ½ Σ |f_real − f_synthetic|. Nil when a side has no present cell.
    public static func totalVariation(_ categories: SharedCategories) -> Double? {
        var (real, synthetic) = categories.presentCounts
        let syntheticTotal = synthetic.reduce(0, +)
        guard real.reduce(0, +) > 0, syntheticTotal > 0 else { return nil }
        for index in categories.realLabelCount..<real.count where synthetic[index] > 0 { real[index] = 1e-6 }
        let realTotal = real.reduce(0, +)
        var distance = 0.0
        for index in real.indices { distance += Swift.abs(synthetic[index] / syntheticTotal - real[index] / realTotal) }
        return distance / 2
    }

    /// Pearson's chi-squared test of homogeneity on the 2 × k table of present category counts
    /// (real, synthetic), without continuity correction: `scipy.stats.chi2_contingency(table,
    /// correction=False)`. Nil when a side has no present cell or only one category is seen.
    public static func chiSquared(_ categories: SharedCategories) -> (statistic: Double, pValue: Double, degrees: Int)? {
        let (allReal, allSynthetic) = categories.presentCounts
        let seen = allReal.indices.filter { allReal[$0] + allSynthetic[$0] > 0 }
        let real = seen.map { allReal[$0] }, synthetic = seen.map { allSynthetic[$0] }
        let n1 = real.reduce(0, +), n2 = synthetic.reduce(0, +)
        guard n1 > 0, n2 > 0, seen.count > 1 else { return nil }
        let statistic = pearsonChiSquared([real, synthetic])
        let degrees = seen.count - 1
        return (statistic, chiSquaredSurvival(statistic, degrees: Double(degrees)), degrees)
    }

    /// Pearson's X² = Σ (observed − expected)² / expected of a table of counts whose row and
    /// column totals are all positive.
    public static func pearsonChiSquared(_ table: [[Double]]) -> Double {
        let rowTotals = table.map { $0.reduce(0, +) }
        var columnTotals = [Double](repeating: 0, count: table.first?.count ?? 0)
        for row in table { for (index, value) in row.enumerated() { columnTotals[index] += value } }
        let total = rowTotals.reduce(0, +)
        var statistic = 0.0
        for (r, row) in table.enumerated() {
            for (c, observed) in row.enumerated() {
                let expected = rowTotals[r] * columnTotals[c] / total
                statistic += (observed - expected) * (observed - expected) / expected
            }
        }
        return statistic
    }

    /// The Jensen–Shannon distance in bits between the two distributions of present categories:
    /// √(½ KL(p‖m) + ½ KL(q‖m)) with m = (p + q)/2, as `scipy.spatial.distance.jensenshannon(p, q,
    /// base=2)`. In [0, 1]. Nil when a side has no present cell.
    public static func jensenShannon(_ categories: SharedCategories) -> Double? {
        let (real, synthetic) = categories.presentCounts
        guard real.reduce(0, +) > 0, synthetic.reduce(0, +) > 0 else { return nil }
        return jensenShannon(real, synthetic)
    }

    /// The Jensen–Shannon distance in bits between two vectors of counts over the same bins.
    public static func jensenShannon(_ first: [Double], _ second: [Double]) -> Double {
        let t1 = first.reduce(0, +), t2 = second.reduce(0, +)
        var divergence = 0.0
        for index in first.indices {
            let p = first[index] / t1, q = second[index] / t2, m = (p + q) / 2
            if p > 0 { divergence += p * log(p / m) }
            if q > 0 { divergence += q * log(q / m) }
        }
        return (max(divergence / 2, 0) / log(2.0)).squareRoot()
    }

    /// The Jensen–Shannon distance between two numeric samples (missing values dropped) binned on
    /// the real sample's ten equal-width bins (numpy's `histogram_bin_edges`), with two open-ended
    /// bins for values beyond them.
    public static func jensenShannon(real: [Double], synthetic: [Double]) -> Double? {
        let a = real.filter { !$0.isNaN }, b = synthetic.filter { !$0.isNaN }
        guard !a.isEmpty, !b.isEmpty else { return nil }
        let edges = histogramEdges(a)
        func counts(_ values: [Double]) -> [Double] {
            var counts = [Double](repeating: 0, count: edges.count + 1)
            for value in values { counts[digitize(value, edges)] += 1 }
            return counts
        }
        return jensenShannon(counts(a), counts(b))
    }

    /// The first Wasserstein distance between the empirical distributions, ∫ |F_real − F_synthetic|
    /// dx (`scipy.stats.wasserstein_distance`), in the column's units (microseconds for datetimes).
    /// Missing values are dropped; nil when a side has none.
    public static func wasserstein(_ first: [Double], _ second: [Double]) -> Double? {
        wasserstein(sortedFirst: first.filter { !$0.isNaN }.sorted(), sortedSecond: second.filter { !$0.isNaN }.sorted())
    }

    /// `wasserstein` of samples already free of NaN and sorted ascending.
    public static func wasserstein(sortedFirst a: [Double], sortedSecond b: [Double]) -> Double? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        var i = 0, j = 0
        var distance = 0.0
        var previous = min(a[0], b[0])
        let n1 = Double(a.count), n2 = Double(b.count)
        while i < a.count || j < b.count {
            let x = j >= b.count || (i < a.count && a[i] <= b[j]) ? a[i] : b[j]
            distance += Swift.abs(Double(i) / n1 - Double(j) / n2) * (x - previous)
            while i < a.count && a[i] <= x { i += 1 }
            while j < b.count && b[j] <= x { j += 1 }
            previous = x
        }
        return distance
    }

    /// The two-sample KS test on the present values (scipy's `ks_2samp`); nil when a side has none.
    public static func kolmogorovSmirnov(_ first: [Double], _ second: [Double]) -> KSTestResult? {
        ksTwoSampleTest(first.filter { !$0.isNaN }, second.filter { !$0.isNaN })
    }

    /// `kolmogorovSmirnov` of samples already free of NaN and sorted ascending.
    public static func kolmogorovSmirnov(sortedFirst a: [Double], sortedSecond b: [Double]) -> KSTestResult? {
        guard let d = ksStatistic(sortedFirst: a, sortedSecond: b) else { return nil }
        return ksTwoSamplePValue(statistic: d, sizes: a.count, b.count)
    }

    /// numpy's `histogram_bin_edges(values)` with its default of ten bins: `linspace(min, max, 11)`,
    /// widened by ½ on each side when all values are equal, [0, 1] when there are none.
    public static func histogramEdges(_ values: [Double], bins: Int = 10) -> [Double] {
        var low = 0.0, high = 1.0
        if let minimum = values.min(), let maximum = values.max() { (low, high) = (minimum, maximum) }
        if low == high { (low, high) = (low - 0.5, high + 0.5) }
        let step = (high - low) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + low }
        edges[bins] = high
        return edges
    }

    /// numpy's `digitize(value, edges)`: the i with edges[i−1] ≤ value < edges[i]; 0 below the
    /// first edge, `edges.count` at or above the last, and `edges.count` for NaN.
    public static func digitize(_ value: Double, _ edges: [Double]) -> Int {
        if value.isNaN { return edges.count }
        var low = 0, high = edges.count
        while low < high {
            let middle = (low + high) / 2
            if edges[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
