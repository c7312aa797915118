import Foundation
import SynthMath

/// A reversible transform of one column into numeric columns, usable by any plugin. It is fitted
/// on a column; `forward` encodes a column of the same kind, `inverse` decodes encoded values
/// back (categories and missing values exactly, numbers to within float rounding).
public protocol ColumnTransform: Sendable {
    /// How many numeric columns `forward` makes.
    var width: Int { get }
    /// Encoded values, one array per output column.
    func forward(_ column: Column) -> [[Double]]
    /// The column for encoded values (`width` arrays of equal length).
    func inverse(_ encoded: [[Double]], name: String) -> Column
}

public enum TransformError: Error, CustomStringConvertible, Equatable {
    case wrongKind(column: String, kind: ColumnKind, transform: String)

    public var description: String {
        switch self {
        case .wrongKind(let column, let kind, let transform): "\(transform) does not apply to column '\(column)' of kind \(kind.rawValue)"
        }
    }
}

// MARK: - Categories

/// The categories of a categorical or boolean column, with missing values as one more category
/// when the column has any; or the values of an integer column taken as categories
/// (`init(valuesOf:)`), each level an integer's decimal digits.
public struct CategoryDomain: Sendable, Equatable, Codable {
    public let levels: [String]
    public let kind: ColumnKind
    public let hasMissing: Bool

    public init(_ column: Column) throws {
        switch column.values {
        case .categorical(_, let levels): self.levels = levels
        case .boolean: levels = ["false", "true"]
        default: throw TransformError.wrongKind(column: column.name, kind: column.kind, transform: "a category encoding")
        }
        kind = column.kind
        hasMissing = column.missingCount > 0
    }

    /// The distinct values of an integer column, in increasing order, as its categories: a column
    /// that holds a few values (a rating from 1 to 4, a count of children) learned as categories.
    /// `column(_:name:)` gives an integer column back.
    public init(valuesOf column: Column) throws {
        self = try CategoryDomain(valuesOf: column, atMost: .max)!
    }

    /// The same, or nil when the column holds more than `limit` distinct values: the scan stops at
    /// the value past the limit.
    public init?(valuesOf column: Column, atMost limit: Int) throws {
        guard case .integer(let values) = column.values else {
            throw TransformError.wrongKind(column: column.name, kind: column.kind, transform: "an encoding of integer values as categories")
        }
        var distinct = Set<Int64>()
        for row in values.indices where !column.isMissing(row) {
            distinct.insert(values[row])
            if distinct.count > limit { return nil }
        }
        levels = distinct.sorted().map { String($0) }
        kind = .integer
        hasMissing = column.missingCount > 0
    }

    /// Category index of each row; missing is `levels.count`.
    public func codes(_ column: Column) -> [Int] {
        switch column.values {
        case .categorical(let codes, let columnLevels):
            let map = columnLevels.map { levels.firstIndex(of: $0) ?? levels.count }
            return codes.indices.map { column.isMissing($0) ? levels.count : map[Int(codes[$0])] }
        case .boolean(let values):
            return values.indices.map { column.isMissing($0) ? levels.count : (values[$0] ? 1 : 0) }
        case .integer(let values) where kind == .integer:
            var index: [Int64: Int] = [:]
            for (code, level) in levels.enumerated() { if let value = Int64(level) { index[value] = code } }
            return values.indices.map { column.isMissing($0) ? levels.count : index[values[$0]] ?? levels.count }
        default:
            return Array(repeating: levels.count, count: column.count)
        }
    }

    /// The column for category indices (`levels.count` is missing).
    public func column(_ codes: [Int], name: String) -> Column {
        let missing = codes.map { $0 >= levels.count || $0 < 0 }
        if kind == .boolean {
            return Column(name: name, values: .boolean(codes.map { $0 == 1 }), missing: missing)
        }
        if kind == .integer {
            let values = levels.map { Int64($0) ?? 0 }
            return Column(name: name, values: .integer(codes.map { $0 >= 0 && $0 < values.count ? values[$0] : 0 }), missing: missing)
        }
        return Column(name: name, values: .categorical(codes: codes.map { Int32($0 >= levels.count || $0 < 0 ? 0 : $0) }, levels: levels),
                      missing: missing)
    }

    public var count: Int { levels.count + (hasMissing ? 1 : 0) }

    /// The same categories with a missing one whether or not the column has missing values: under
    /// privacy, where that the column has some would be learned from the data.
    public func withMissing() -> CategoryDomain {
        CategoryDomain(levels: levels, kind: kind, hasMissing: true)
    }

    private init(levels: [String], kind: ColumnKind, hasMissing: Bool) {
        self.levels = levels
        self.kind = kind
        self.hasMissing = hasMissing
    }
}

/// One 0/1 column per category (and one for missing, when the column has missing values).
public struct OneHotEncoder: ColumnTransform, Equatable, Codable {
    public let domain: CategoryDomain
    public init(fitting column: Column) throws { domain = try CategoryDomain(column) }
    public init(domain: CategoryDomain) { self.domain = domain }
    public var width: Int { domain.count }

    public func forward(_ column: Column) -> [[Double]] {
        let codes = domain.codes(column)
        return (0..<width).map { level in codes.map { $0 == level ? 1 : 0 } }
    }

    public func inverse(_ encoded: [[Double]], name: String) -> Column {
        let rows = encoded.first?.count ?? 0
        let codes = (0..<rows).map { row in (0..<width).max { encoded[$0][row] < encoded[$1][row] } ?? 0 }
        return domain.column(codes, name: name)
    }
}

/// The category's index as a number (missing is the last index).
public struct LabelEncoder: ColumnTransform {
    public let domain: CategoryDomain
    public init(fitting column: Column) throws { domain = try CategoryDomain(column) }
    public var width: Int { 1 }
    public func forward(_ column: Column) -> [[Double]] { [domain.codes(column).map(Double.init)] }
    public func inverse(_ encoded: [[Double]], name: String) -> Column {
        domain.column(encoded[0].map { Swift.min(Swift.max(Int($0.rounded()), 0), domain.count - 1) }, name: name)
    }
}

/// Each category as an interval of [0, 1) as wide as its frequency, most frequent first (as RDT's
/// frequency encoder): forward gives the interval's middle, or a uniform point inside it when a
/// random stream is given; inverse finds the interval. Frequencies survive any transform that keeps
/// the uniform distribution on [0, 1).
public struct FrequencyEncoder: ColumnTransform, Codable {
    public let domain: CategoryDomain
    /// Categories in interval order, and the interval boundaries (count + 1 of them).
    public let order: [Int]
    public let bounds: [Double]

    public init(fitting column: Column) throws {
        let domain = try CategoryDomain(column)
        var counts = Array(repeating: 0.0, count: domain.count)
        for code in domain.codes(column) { counts[code] += 1 }
        self.init(domain: domain, counts: counts)
    }

    /// Intervals from given (for instance noisy) counts per category, missing last when the domain
    /// has missing values; negative counts count as 0.
    public init(domain: CategoryDomain, counts given: [Double]) {
        self.domain = domain
        var counts = Array(given.prefix(domain.count)).map { Swift.max($0, 0) }
        while counts.count < domain.count { counts.append(0) }
        if counts.reduce(0, +) <= 0 { counts = Array(repeating: 1, count: domain.count) }
        order = counts.indices.sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        let total = counts.reduce(0, +)
        var edges = [0.0]
        for code in order { edges.append(edges.last! + counts[code] / total) }
        edges[edges.count - 1] = 1
        bounds = edges
    }

    public var width: Int { 1 }

    public func forward(_ column: Column) -> [[Double]] {
        var random: Philox?
        return [encode(column, random: &random)]
    }

    /// Uniform points within each category's interval.
    public func forward(_ column: Column, random: inout Philox) -> [[Double]] {
        var optional: Philox? = random
        defer { random = optional! }
        return [encode(column, random: &optional)]
    }

    private func encode(_ column: Column, random: inout Philox?) -> [Double] {
        var position = Array(repeating: 0, count: domain.count)
        for (index, code) in order.enumerated() { position[code] = index }
        return domain.codes(column).map { code in
            let low = bounds[position[code]], high = bounds[position[code] + 1]
            guard random != nil else { return (low + high) / 2 }
            return low + (high - low) * random!.nextOpenUniform()
        }
    }

    public func inverse(_ encoded: [[Double]], name: String) -> Column {
        domain.column(encoded[0].map { category(at: $0) }, name: name)
    }

    /// The category whose interval holds `value` (clamped to [0, 1)).
    public func category(at value: Double) -> Int {
        var low = 0, high = order.count - 1
        let v = Swift.min(Swift.max(value, 0), 1)
        while low < high {
            let mid = (low + high + 1) / 2
            if bounds[mid] <= v { low = mid } else { high = mid - 1 }
        }
        return order[low]
    }
}

// MARK: - Numbers

/// What a numeric column allows: its observed range, its grid (1 for integers, 10⁻ᵈ for decimals,
/// a time unit for datetimes) and its kind. `restore` clips and rounds a number back into it.
public struct NumericDomain: Sendable, Equatable, Codable {
    public let kind: ColumnKind
    public let minimum: Double
    public let maximum: Double
    /// 0 when values are not on a grid.
    public let resolution: Double

    public init(_ column: Column) throws {
        try self.init(column, bounds: nil)
    }

    /// With `bounds`, the range is those (public) bounds rather than the values' minimum and
    /// maximum; values outside them are clipped to them where the domain restores numbers.
    public init(_ column: Column, bounds: ClosedRange<Double>?) throws {
        guard column.kind.isNumeric, let values = column.presentNumbers() else {
            throw TransformError.wrongKind(column: column.name, kind: column.kind, transform: "a numeric transform")
        }
        kind = column.kind
        minimum = bounds?.lowerBound ?? values.min() ?? 0
        maximum = bounds?.upperBound ?? values.max() ?? 0
        resolution = NumericDomain.resolution(kind: column.kind, values: values)
    }

    /// The coarsest grid every value lies on.
    public static func resolution(kind: ColumnKind, values: [Double]) -> Double {
        switch kind {
        case .integer: return 1
        case .datetime:
            for unit in [86_400_000_000.0, 3_600_000_000, 60_000_000, 1_000_000, 1_000] where values.allSatisfy({ $0.truncatingRemainder(dividingBy: unit) == 0 }) {
                return unit
            }
            return 1
        default:
            var decimals = 0, scale = 1.0
            for value in values {
                while decimals < 12 {
                    let scaled = value * scale
                    if scaled.rounded() == scaled || Swift.abs(scaled.rounded() / scale - value) <= Swift.abs(value) * 1e-15 { break }
                    decimals += 1
                    scale *= 10
                }
                if decimals == 12 { return 0 }
            }
            return 1 / scale
        }
    }

    /// Clipped to the observed range (unless `clip` is false) and rounded to the grid.
    public func restore(_ value: Double, clip: Bool = true) -> Double {
        Self.onGrid(clip ? Swift.min(Swift.max(value, minimum), maximum) : value, resolution: resolution)
    }

    /// The point of the grid of `resolution` nearest `value` (`value` itself for no grid). A
    /// grid finer than 1 is of decimals, and the point is the double nearest the decimal.
    public static func onGrid(_ value: Double, resolution: Double) -> Double {
        guard resolution > 0 else { return value }
        if resolution >= 1 { return (value / resolution).rounded() * resolution }
        // 1 / resolution is a power of ten only up to rounding (1 / 1e-9 is 999999999.9999999), and
        // dividing by that would leave digits past the grid (23.845269987000002).
        let decimals = (1 / resolution).rounded()
        return (value * decimals).rounded() / decimals
    }

    /// Present values as numbers (missing ones as `fill`).
    public func numbers(_ column: Column, fill: Double) -> [Double] {
        (0..<column.count).map { row in column.isMissing(row) ? fill : number(in: column, row: row) }
    }

    /// The number in one row of a numeric (or boolean) column, whether missing or not.
    public func number(in column: Column, row: Int) -> Double {
        switch column.values {
        case .continuous(let v): v[row]
        case .integer(let v): Double(v[row])
        case .datetime(let v): Double(v[row])
        case .boolean(let v): v[row] ? 1 : 0
        case .categorical: .nan
        }
    }

    /// The column of this kind for numbers (restored), with `missing` rows missing.
    public func column(_ numbers: [Double], missing: [Bool], name: String, clip: Bool = true) -> Column {
        let restored = numbers.map { $0.isFinite ? restore($0, clip: clip) : minimum }
        switch kind {
        case .integer: return Column(name: name, values: .integer(restored.map { Int64($0) }), missing: missing)
        case .datetime: return Column(name: name, values: .datetime(restored.map { Int64($0) }), missing: missing)
        default: return Column(name: name, values: .continuous(restored), missing: missing)
        }
    }
}

/// A numeric transform with a missing-value indicator: the value (missing ones as the mean),
/// then a 0/1 column that is 1 where the value is missing (only when the column has any).
public struct NumericEncoder: ColumnTransform {
    public enum Scaling: Sendable, Equatable {
        /// The number itself (datetimes: microseconds since the epoch).
        case identity
        /// (x − mean) / sd.
        case standard(mean: Double, sd: Double)
        /// Φ⁻¹ of the midpoint empirical CDF: a normal score per distinct value.
        case quantileNormal(values: [Double], scores: [Double])
    }

    public let domain: NumericDomain
    public let scaling: Scaling
    public let mean: Double
    public let hasMissing: Bool

    public enum Method: Sendable { case identity, standard, quantileNormal }

    public init(fitting column: Column, method: Method = .standard) throws {
        domain = try NumericDomain(column)
        let present = column.presentNumbers() ?? []
        let (mean, sd) = meanAndStandardDeviation(present) ?? (0, 1)
        self.mean = mean
        hasMissing = column.missingCount > 0
        switch method {
        case .identity: scaling = .identity
        case .standard: scaling = .standard(mean: mean, sd: sd > 0 ? sd : 1)
        case .quantileNormal:
            let sorted = present.sorted()
            var values: [Double] = [], counts: [Int] = []
            for value in sorted {
                if value == values.last { counts[counts.count - 1] += 1 } else { values.append(value); counts.append(1) }
            }
            var cumulative = 0, scores: [Double] = []
            for count in counts {
                scores.append(normalQuantile((Double(cumulative) + Double(count) / 2) / Double(sorted.count)))
                cumulative += count
            }
            scaling = .quantileNormal(values: values, scores: scores)
        }
    }

    public var width: Int { hasMissing ? 2 : 1 }

    public func forward(_ column: Column) -> [[Double]] {
        let numbers = domain.numbers(column, fill: mean).map(scale)
        guard hasMissing else { return [numbers] }
        return [numbers, (0..<column.count).map { column.isMissing($0) ? 1 : 0 }]
    }

    public func inverse(_ encoded: [[Double]], name: String) -> Column {
        let missing = hasMissing ? encoded[1].map { $0 > 0.5 } : Array(repeating: false, count: encoded[0].count)
        return domain.column(encoded[0].map(unscale), missing: missing, name: name)
    }

    public func scale(_ x: Double) -> Double {
        switch scaling {
        case .identity: return x
        case .standard(let mean, let sd): return (x - mean) / sd
        case .quantileNormal(let values, let scores):
            guard !values.isEmpty else { return 0 }
            return interpolate(x, from: values, to: scores)
        }
    }

    public func unscale(_ z: Double) -> Double {
        switch scaling {
        case .identity: return z
        case .standard(let mean, let sd): return z * sd + mean
        case .quantileNormal(let values, let scores):
            guard !values.isEmpty else { return mean }
            return interpolate(z, from: scores, to: values)
        }
    }
}

/// Histogram edges (bins + 1 increasing values) over a column's public range [low, high], its
/// values on a grid of step `resolution` (0 when they are not on one).
///
/// - A grid of at most `onePerValue` values gets one bin per value, centred on it.
/// - Otherwise, on a grid and with at least 4 bins, each end value gets a bin of its own
///   ([low − r/2, low + r/2) and [high − r/2, high + r/2]) and `bins − 2` bins split the rest, so
///   that a point mass at a bound (the 0 that 92 % of capital-gain's rows hold, a top code) stays
///   a point mass when values are drawn uniformly within bins and snapped to the grid. The bins
///   between have equal widths, unless `geometric` and the range spans three orders of magnitude
///   above its low end (low ≥ 0 and high ≥ 1000 · max(low, r): money, durations, counts, whose
///   values crowd near the low end): then their widths grow geometrically with the distance from
///   `low`, each edge on a half step of the grid and each bin at least one step wide.
/// - Otherwise `bins` equal-width bins over [low, high].
///
/// The edges depend on the range, the grid and `bins` only, never on how the values fall, so a
/// noisy histogram over them spends no privacy budget on its shape.
public func histogramEdges(low: Double, high: Double, bins: Int, resolution: Double, onePerValue: Int, geometric: Bool = true) -> [Double] {
    if resolution > 0 {
        let values = Int(((high - low) / resolution).rounded()) + 1
        if values <= onePerValue {
            return (0...values).map { low + (Double($0) - 0.5) * resolution }
        }
        if bins >= 4, values >= 3 {
            let start = low + resolution / 2, end = high - resolution / 2
            let inner = bins - 2
            if geometric, low >= 0, high >= 1000 * Swift.max(low, resolution) {
                // Distances from `low` from r/2 to end − low, in equal ratios, each edge moved to
                // the nearest half step (so a bin holds whole grid values) and kept one step past
                // the one before.
                let first = resolution / 2, last = end - low, ratio = last / first
                var edges = [low - resolution / 2, start]
                for i in 1..<inner {
                    let distance = first * Foundation.pow(ratio, Double(i) / Double(inner))
                    let snapped = low + ((distance / resolution - 0.5).rounded() + 0.5) * resolution
                    if snapped >= edges.last! + resolution * 0.999, snapped <= end - resolution * 0.999 { edges.append(snapped) }
                }
                return edges + [end, high + resolution / 2]
            }
            let width = (end - start) / Double(inner)
            return [low - resolution / 2] + (0...inner).map { $0 == inner ? end : start + Double($0) * width } + [high + resolution / 2]
        }
    }
    if high == low { return [low, high] }
    let width = (high - low) / Double(bins)
    return (0...bins).map { $0 == bins ? high : low + Double($0) * width }
}

/// The bin of `value` among increasing `edges` (bins + 1 of them): [eᵢ, eᵢ₊₁), the last bin
/// closed, values outside going to the first or last bin.
public func binIndex(of value: Double, edges: [Double]) -> Int {
    var low = 0, high = edges.count - 2
    while low < high {
        let mid = (low + high + 1) / 2
        if edges[mid] <= value { low = mid } else { high = mid - 1 }
    }
    return low
}

/// Piecewise-linear interpolation through increasing `xs`, flat beyond the ends.
public func interpolate(_ x: Double, from xs: [Double], to ys: [Double]) -> Double {
    if x <= xs[0] { return ys[0] }
    if x >= xs[xs.count - 1] { return ys[ys.count - 1] }
    var low = 0, high = xs.count - 1
    while high - low > 1 {
        let mid = (low + high) / 2
        if xs[mid] <= x { low = mid } else { high = mid }
    }
    let t = (x - xs[low]) / (xs[high] - xs[low])
    return ys[low] + t * (ys[high] - ys[low])
}
