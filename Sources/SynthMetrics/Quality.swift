import Foundation
import SynthKit
import SynthMath

/// SDMetrics' QualityReport (single table): the mean of its Column Shapes and Column Pair Trends
/// properties, each the mean of the scores that count.
///
/// - Column Shapes: per column, KSComplement (1 − KS statistic) for numerical and datetime columns,
///   TVComplement (1 − total variation distance of the category frequencies) for categorical and
///   boolean ones, both on the present values only.
/// - Column Pair Trends: for every pair of columns, CorrelationSimilarity (1 − |r_real −
///   r_synthetic| / 2, Pearson's r on the rows where both are present) when both are numerical or
///   datetime, ContingencySimilarity (1 − total variation distance of the joint frequencies, missing
///   as a category) otherwise; a numerical column paired with a discrete one is first cut into ten
///   equal-width bins, each table on its own range (`numpy.histogram_bin_edges`, `numpy.digitize`).
///   A pair counts only when the real table shows a trend: |r_real| > 0.5 for a correlation,
///   Cramér's V > 0.3 for a contingency table (SDMetrics' default thresholds). A pair with a
///   constant column has no score. When no pair counts the property is undefined and the quality
///   is the Column Shapes score alone.
///
/// SDMetrics subsamples the contingency tables to 50,000 rows at random when a table is larger;
/// this uses every row (the value its subsample estimates).
public struct QualityReport: Sendable {
    public static let correlationThreshold = 0.5
    public static let associationThreshold = 0.3

    public struct PairScore: Sendable {
        public var first: String, second: String
        /// "correlation_similarity" or "contingency_similarity".
        public var metric: String
        /// The similarity, whether or not the pair counts.
        public var score: Double?
        /// The real table's strength of the trend: Pearson's r, or Cramér's V.
        public var realStrength: Double?
        /// Whether the pair enters Column Pair Trends (its real trend passes the threshold).
        public var counts: Bool
        /// Why there is no score, or why the pair does not count.
        public var reason: String?
    }
    public struct ShapeScore: Sendable {
        public var column: String
        /// "ks_complement" or "tv_complement".
        public var metric: String
        public var score: Double?
        public var reason: String?
    }

    public var shapes: [ShapeScore] = []
    public var pairs: [PairScore] = []

    public var columnShapes: Double? { mean(shapes.compactMap(\.score)) }
    public var columnPairTrends: Double? { mean(pairs.filter(\.counts).compactMap(\.score)) }
    public var score: Double? { mean([columnShapes, columnPairTrends].compactMap { $0 }) }

    /// Scores `synthetic` against `real` (matched by column name; `real`'s columns in order).
    /// `cancelled` is polled between columns and pairs.
    public init(real: Table, synthetic: Table, cancelled: () throws -> Void = {}) throws {
        var prepared: [Prepared] = []
        for column in real.columns {
            try cancelled()
            guard let other = synthetic.column(named: column.name) else {
                throw MetricsError.missingColumn(column.name)
            }
            prepared.append(Prepared(real: column, synthetic: other))
        }
        for item in prepared {
            try cancelled()
            shapes.append(item.shapeScore())
        }
        for i in prepared.indices {
            for j in (i + 1)..<prepared.count {
                try cancelled()
                pairs.append(Self.pair(prepared[i], prepared[j]))
            }
        }
    }

    /// Ten equal-width bins over this sample's own present range (codes 0…11); NaN falls with the
    /// maximum in bin 11, as numpy.digitize puts it. How SDMetrics discretizes a number paired
    /// with a category.
    public static func bins(_ values: [Double]) -> [Int32] {
        let edges = Fidelity.histogramEdges(values.filter { !$0.isNaN })
        return values.map { Int32(Fidelity.digitize($0, edges)) }
    }

    /// The Column Shapes score of one column.
    public static func shapeScore(real: Column, synthetic: Column) -> ShapeScore {
        Prepared(real: real, synthetic: synthetic).shapeScore()
    }

    /// One column on both sides, in the forms the scores need.
    struct Prepared {
        let name: String
        let shape: ColumnShape
        let realNumbers: [Double]?, syntheticNumbers: [Double]?
        let realBins: [Int32]?, syntheticBins: [Int32]?
        let categories: SharedCategories?
        let realConstant: Bool, syntheticConstant: Bool

        init(real: Column, synthetic: Column) {
            name = real.name
            shape = ColumnShape(real.kind)
            if shape == .continuous, let a = numbersWithMissing(real), let b = numbersWithMissing(synthetic) {
                realNumbers = a
                syntheticNumbers = b
                realBins = QualityReport.bins(a)
                syntheticBins = QualityReport.bins(b)
                categories = nil
                realConstant = Self.distinctPresent(a) <= 1
                syntheticConstant = Self.distinctPresent(b) <= 1
            } else {
                realNumbers = nil
                syntheticNumbers = nil
                realBins = nil
                syntheticBins = nil
                let shared = SharedCategories(real: real, synthetic: synthetic)
                categories = shared
                realConstant = Self.distinctPresent(shared.real, shared.labels) <= 1
                syntheticConstant = Self.distinctPresent(shared.synthetic, shared.labels) <= 1
            }
        }

        static func distinctPresent(_ values: [Double]) -> Int {
            var first: Double?
            for value in values where !value.isNaN {
                if let first, first != value { return 2 }
                first = value
            }
            return first == nil ? 0 : 1
        }

        static func distinctPresent(_ codes: [Int32], _ labels: [String?]) -> Int {
            var first: Int32?
            for code in codes where labels[Int(code)] != nil {
                if let first, first != code { return 2 }
                first = code
            }
            return first == nil ? 0 : 1
        }

        func shapeScore() -> ShapeScore {
            if let realNumbers, let syntheticNumbers {
                let statistic = ksStatisticPresent(realNumbers, syntheticNumbers)
                return ShapeScore(column: name, metric: "ks_complement", score: statistic.map { 1 - $0 },
                                  reason: statistic == nil ? "no present values on one side" : nil)
            }
            let distance = Fidelity.totalVariation(categories!)
            return ShapeScore(column: name, metric: "tv_complement", score: distance.map { 1 - $0 },
                              reason: distance == nil ? "no present values on one side" : nil)
        }

        /// Codes for a contingency table: categories as they are, numbers by their bins.
        var discreteReal: [Int32] { categories?.real ?? realBins! }
        var discreteSynthetic: [Int32] { categories?.synthetic ?? syntheticBins! }
        /// How many codes the discrete forms use: the labels, or 12 bin numbers.
        var codeCount: Int { categories?.labels.count ?? 12 }
    }

    static func pair(_ a: Prepared, _ b: Prepared) -> PairScore {
        let both = a.shape == .continuous && b.shape == .continuous
        var score = PairScore(first: a.name, second: b.name, metric: both ? "correlation_similarity" : "contingency_similarity",
                              score: nil, realStrength: nil, counts: false, reason: nil)
        if both {
            if a.realConstant || b.realConstant || a.syntheticConstant || b.syntheticConstant {
                let which = a.realConstant || a.syntheticConstant ? a.name : b.name
                let side = (a.realConstant || b.realConstant) ? "real" : "synthetic"
                score.reason = "column '\(which)' is constant in the \(side) table, so its correlation is undefined"
                return score
            }
            guard let real = Correlation.pearson(a.realNumbers!, b.realNumbers!),
                  let synthetic = Correlation.pearson(a.syntheticNumbers!, b.syntheticNumbers!) else {
                score.reason = "fewer than two rows with both values, or a constant column on those rows"
                return score
            }
            score.score = 1 - Swift.abs(real - synthetic) / 2
            score.realStrength = real
            score.counts = Swift.abs(real) > correlationThreshold
            if !score.counts {
                score.reason = "the real correlation \(format(real)) is within ±\(correlationThreshold), so the pair does not count"
            }
            return score
        }
        score.score = contingencySimilarity(a.discreteReal, b.discreteReal, a.discreteSynthetic, b.discreteSynthetic,
                                            codes: (a.codeCount, b.codeCount))
        guard score.score != nil else {
            score.reason = "an empty table"
            return score
        }
        guard let association = cramersV(a.discreteReal, b.discreteReal, codes: (a.codeCount, b.codeCount)) else {
            score.reason = "a column has a single value in the real table, so its association is undefined"
            return score
        }
        score.realStrength = association
        score.counts = association > associationThreshold
        if !score.counts {
            score.reason = "the real association (Cramér's V \(format(association))) is at most \(associationThreshold), so the pair does not count"
        }
        return score
    }

    /// Cramér's V of the contingency table of two coded columns (codes below `codes.x` and
    /// `codes.y`; every code that occurs is a row or a column): √(X² / n / (min(r, c) − 1)); nil
    /// when either has a single code.
    static func cramersV(_ x: [Int32], _ y: [Int32], codes: (x: Int, y: Int)) -> Double? {
        guard codes.x * codes.y <= 4_000_000 else { return cramersVSparse(x, y) }
        var dense = [Double](repeating: 0, count: codes.x * codes.y)
        for index in x.indices { dense[Int(x[index]) * codes.y + Int(y[index])] += 1 }
        var rowTotals = [Double](repeating: 0, count: codes.x), columnTotals = [Double](repeating: 0, count: codes.y)
        for r in 0..<codes.x {
            for c in 0..<codes.y {
                rowTotals[r] += dense[r * codes.y + c]
                columnTotals[c] += dense[r * codes.y + c]
            }
        }
        let rows = (0..<codes.x).filter { rowTotals[$0] > 0 }, columns = (0..<codes.y).filter { columnTotals[$0] > 0 }
        guard rows.count >= 2, columns.count >= 2 else { return nil }
        let table = rows.map { r in columns.map { c in dense[r * codes.y + c] } }
        let phiSquared = Fidelity.pearsonChiSquared(table) / Double(x.count)
        return (phiSquared / Double(min(rows.count, columns.count) - 1)).squareRoot()
    }

    /// `cramersV` for columns with many codes, from the cells that occur:
    /// X² = Σ_{O > 0} O² / E − n with E = row total × column total / n.
    static func cramersVSparse(_ x: [Int32], _ y: [Int32]) -> Double? {
        var rowTotals: [Int32: Double] = [:], columnTotals: [Int32: Double] = [:], cells: [Int64: Double] = [:]
        for index in x.indices {
            rowTotals[x[index], default: 0] += 1
            columnTotals[y[index], default: 0] += 1
            cells[Int64(x[index]) << 32 | Int64(y[index]), default: 0] += 1
        }
        guard rowTotals.count >= 2, columnTotals.count >= 2 else { return nil }
        let n = Double(x.count)
        var sum = 0.0
        for key in cells.keys.sorted() {
            let observed = cells[key]!
            let expected = rowTotals[Int32(truncatingIfNeeded: key >> 32)]! * columnTotals[Int32(truncatingIfNeeded: key & 0xFFFF_FFFF)]! / n
            sum += observed * observed / expected
        }
        let phiSquared = max(sum - n, 0) / n
        return (phiSquared / Double(min(rowTotals.count, columnTotals.count) - 1)).squareRoot()
    }

    /// 1 − ½ Σ |f_real(x, y) − f_synthetic(x, y)| over the joint cells either table has.
    public static func contingencySimilarity(_ realX: [Int32], _ realY: [Int32], _ syntheticX: [Int32], _ syntheticY: [Int32],
                                             codes: (x: Int, y: Int)) -> Double? {
        let n1 = realX.count, n2 = syntheticX.count
        guard n1 > 0, n2 > 0 else { return nil }
        let width = codes.y
        if codes.x * width <= 4_000_000 {
            var real = [Double](repeating: 0, count: codes.x * width), synthetic = real
            for i in 0..<n1 { real[Int(realX[i]) * width + Int(realY[i])] += 1 }
            for i in 0..<n2 { synthetic[Int(syntheticX[i]) * width + Int(syntheticY[i])] += 1 }
            var variation = 0.0
            for cell in real.indices { variation += Swift.abs(real[cell] / Double(n1) - synthetic[cell] / Double(n2)) }
            return 1 - variation / 2
        }
        // Many codes on both sides: count the cells that occur, and sum them in a fixed order.
        var cells: [Int64: (Double, Double)] = [:]
        for i in 0..<n1 { cells[Int64(realX[i]) << 32 | Int64(realY[i]), default: (0, 0)].0 += 1 }
        for i in 0..<n2 { cells[Int64(syntheticX[i]) << 32 | Int64(syntheticY[i]), default: (0, 0)].1 += 1 }
        var variation = 0.0
        for key in cells.keys.sorted() {
            let counts = cells[key]!
            variation += Swift.abs(counts.0 / Double(n1) - counts.1 / Double(n2))
        }
        return 1 - variation / 2
    }
}

/// The KS statistic of the present values (no p-value: Column Shapes needs only D).
func ksStatisticPresent(_ a: [Double], _ b: [Double]) -> Double? {
    ksStatistic(a.filter { !$0.isNaN }, b.filter { !$0.isNaN })
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }

func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
}

public enum MetricsError: Error, CustomStringConvertible, Equatable {
    case missingColumn(String)
    case noTarget(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .missingColumn(let name): "the synthetic table has no column '\(name)'"
        case .noTarget(let name): "no target column '\(name)'"
        case .invalid(let message): message
        }
    }
}
