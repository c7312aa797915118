import Foundation
import SynthKit
import SynthMath

/// A univariate distribution for one numeric column: its CDF, and its inverse through a table on
/// a grid of normal scores (so that sampling costs an interpolation, not a root search).
final class Marginal {
    enum Family: String, CaseIterable, Codable {
        case norm, truncnorm, beta, gamma, uniform, empirical
    }

    let family: Family
    let cdf: (Double) -> Double
    private let quantile: (Double) -> Double
    /// x for normal scores on `Marginal.grid`, made on first use (candidates that lose the KS
    /// comparison never need it).
    private lazy var table: [Double] = Marginal.grid.map { quantile(normalCDF($0)) }

    static let grid: [Double] = stride(from: -8.5, through: 8.5, by: 17.0 / 4095).map { $0 }

    init(family: Family, cdf: @escaping (Double) -> Double, quantile: @escaping (Double) -> Double) {
        self.family = family
        self.cdf = cdf
        self.quantile = quantile
    }

    /// A saved marginal: the table sampling reads, so a restored model draws the same values.
    /// Its CDF and quantile function interpolate that table.
    init(family: Family, quantileTable: [Double]) {
        let grid = Marginal.grid
        self.family = family
        self.cdf = { x in normalCDF(interpolate(x, from: quantileTable, to: grid)) }
        self.quantile = { p in interpolate(normalQuantile(Swift.min(Swift.max(p, 1e-300), 1 - 1e-16)), from: grid, to: quantileTable) }
        self.table = quantileTable
    }

    /// x for each normal score of `Marginal.grid`: what `value(_:)` interpolates.
    var quantileTable: [Double] { table }

    /// The normal score of x: Φ⁻¹(F(x)), kept finite.
    func score(_ x: Double) -> Double {
        normalQuantile(Swift.min(Swift.max(cdf(x), 1e-12), 1 - 1e-12))
    }

    /// x for a normal score.
    func value(_ z: Double) -> Double {
        let grid = Marginal.grid
        let table = self.table
        if z <= grid[0] { return table[0] }
        if z >= grid[grid.count - 1] { return table[table.count - 1] }
        let position = (z - grid[0]) / (grid[1] - grid[0])
        let low = Int(position), t = position - Double(low)
        return table[low] + t * (table[low + 1] - table[low])
    }

    /// Fits `family` to the values (at least two distinct ones); nil when it cannot describe them.
    static func fit(_ family: Family, _ values: [Double]) -> Marginal? {
        let sorted = values.sorted()
        let n = Double(sorted.count)
        guard let low = sorted.first, let high = sorted.last, high > low else { return nil }
        let (mean, sd) = meanAndStandardDeviation(sorted)!
        func bisect(_ cdf: (Double) -> Double, _ p: Double, _ a: Double, _ b: Double) -> Double {
            var lo = a, hi = b
            for _ in 0..<80 {
                let mid = (lo + hi) / 2
                if cdf(mid) < p { lo = mid } else { hi = mid }
            }
            return (lo + hi) / 2
        }
        switch family {
        case .norm:
            return Marginal(family: .norm, cdf: { normalCDF(($0 - mean) / sd) }, quantile: { mean + sd * normalQuantile($0) })
        case .truncnorm:
            let a = normalCDF((low - mean) / sd), b = normalCDF((high - mean) / sd)
            guard b - a > 1e-9 else { return nil }
            return Marginal(family: .truncnorm,
                            cdf: { x in Swift.min(1, Swift.max(0, (normalCDF((x - mean) / sd) - a) / (b - a))) },
                            quantile: { p in mean + sd * normalQuantile(a + p * (b - a)) })
        case .uniform:
            return Marginal(family: .uniform, cdf: { Swift.min(1, Swift.max(0, ($0 - low) / (high - low))) },
                            quantile: { low + $0 * (high - low) })
        case .beta:
            // Method of moments on [low, high] widened by a little, so no value sits on an end.
            let pad = (high - low) * 1e-3
            let loc = low - pad, scale = high - low + 2 * pad
            let m = (mean - loc) / scale, v = sd * sd / (scale * scale)
            let common = m * (1 - m) / v - 1
            guard common > 0 else { return nil }
            let alpha = m * common, beta = (1 - m) * common
            let cdf: (Double) -> Double = { regularizedBeta(($0 - loc) / scale, alpha, beta) }
            return Marginal(family: .beta, cdf: cdf, quantile: { p in bisect(cdf, p, loc, loc + scale) })
        case .gamma:
            let loc = low - (high - low) * 1e-3
            let shifted = mean - loc
            let shape = shifted * shifted / (sd * sd), theta = sd * sd / shifted
            guard shape > 0, theta > 0, shape < 1e6 else { return nil }
            let cdf: (Double) -> Double = { regularizedGammaP(shape, Swift.max(0, $0 - loc) / theta) }
            let upper = loc + theta * (shape + 40 * shape.squareRoot() + 40)
            return Marginal(family: .gamma, cdf: cdf, quantile: { p in bisect(cdf, p, loc, upper) })
        case .empirical:
            // The midpoint empirical CDF, linear between distinct values. Its inverse keeps point
            // masses: a value seen more than once owns its whole step of probability, so a column
            // that is mostly 0 stays mostly exactly 0; between single values it interpolates.
            var points: [Double] = [], counts: [Int] = []
            for value in sorted {
                if value == points.last { counts[counts.count - 1] += 1 } else { points.append(value); counts.append(1) }
            }
            var midpoints: [Double] = [], upper: [Double] = []
            var seen = 0
            for count in counts {
                midpoints.append((Double(seen) + Double(count) / 2) / n)
                seen += count
                upper.append(Double(seen) / n)
            }
            let cdf: (Double) -> Double = { x in interpolate(x, from: points, to: midpoints) }
            let quantile: (Double) -> Double = { p in
                var low = 0, high = upper.count - 1
                while low < high {
                    let mid = (low + high) / 2
                    if upper[mid] <= p { low = mid + 1 } else { high = mid }
                }
                let j = low
                if counts[j] > 1 || j == 0 { return points[j] }
                let start = upper[j - 1], width = upper[j] - start
                let t = width > 0 ? (p - start) / width : 1
                return points[j - 1] + t * (points[j] - points[j - 1])
            }
            return Marginal(family: .empirical, cdf: cdf, quantile: quantile)
        }
    }

    /// A histogram marginal: uniform within each bin of `edges` (bins + 1 increasing values),
    /// with the given (noisy) counts; negative counts count as 0.
    static func histogram(edges: [Double], counts given: [Double]) -> Marginal {
        var counts = given.map { Swift.max($0, 0) }
        if counts.reduce(0, +) <= 0 { counts = Array(repeating: 1, count: edges.count - 1) }
        let total = counts.reduce(0, +)
        var cumulative = [0.0]
        for count in counts { cumulative.append(cumulative.last! + count / total) }
        cumulative[cumulative.count - 1] = 1
        let cdf: (Double) -> Double = { x in interpolate(x, from: edges, to: cumulative) }
        let quantile: (Double) -> Double = { p in
            // The first bin whose cumulative share reaches p; empty bins are skipped.
            var low = 1, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] < p { low = mid + 1 } else { high = mid }
            }
            let start = cumulative[low - 1], width = cumulative[low] - start
            let t = width > 0 ? (p - start) / width : 0.5
            return edges[low - 1] + t * (edges[low] - edges[low - 1])
        }
        return Marginal(family: .empirical, cdf: cdf, quantile: quantile)
    }

    /// The KS statistic of `sample` against this distribution.
    func ksStatistic(_ sample: [Double]) -> Double {
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = Swift.max(d, Swift.abs(Double(i + 1) / n - f), Swift.abs(f - Double(i) / n))
        }
        return d
    }
}
