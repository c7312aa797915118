import SynthKit
import SynthMath
import SynthMetrics

/// Column-by-column and pair-by-pair statistics of how the synthetic table differs from the real
/// one, each with its reference definition (docs/metrics.md):
/// - numeric and datetime columns: the two-sample KS statistic and p-value (scipy's `ks_2samp`),
///   Wasserstein-1 (in the column's units), Jensen–Shannon distance over the real column's ten
///   equal-width bins;
/// - categorical and boolean columns: total variation distance, Pearson's chi-squared test of
///   homogeneity (statistic and p-value), Jensen–Shannon distance;
/// - pairs of numeric columns: Pearson and Spearman correlation similarity, 1 − |ρ_real − ρ_synth| / 2;
///   every pair: contingency similarity (numbers cut into ten equal-width bins per table, as
///   SDMetrics does) and the total variation distance of the 2-way marginal on one grid (numbers
///   cut on the real column's bins for both tables), whose mean is the 2-way TV that PrivBayes and
///   private-pgm report.
/// Missing cells are dropped (`missing_rates` compares how often they occur), except in the
/// contingency tables, where missing is a category. Table-level rows average the column or pair
/// values that exist.
public struct FidelityValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "fidelity",
        name: "Fidelity statistics",
        version: "1.0.0",
        kind: .validator,
        summary: "KS test, Wasserstein-1, Jensen-Shannon, TV and chi-squared per column; correlation and contingency similarity per pair.",
        parameters: [
            .bool("pairs", default: true, help: "Also compare every pair of columns (correlations, contingency tables)."),
        ])

    let pairs: Bool

    public init(parameters: Parameters, context: PluginContext) throws {
        pairs = parameters.bool("pairs")
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        var metrics: [Metric] = []
        var prepared: [PreparedColumn] = []
        for real in input.real.columns {
            try context.checkCancellation()
            guard let synthetic = input.synthetic.column(named: real.name) else {
                throw PluginError.invalidArgument("the synthetic table has no column '\(real.name)'")
            }
            let column = PreparedColumn(real: real, synthetic: synthetic)
            prepared.append(column)
            metrics += column.marginalMetrics()
        }
        if pairs {
            for i in prepared.indices {
                for j in (i + 1)..<prepared.count {
                    try context.checkCancellation()
                    metrics += PreparedColumn.pairMetrics(prepared[i], prepared[j])
                }
            }
        }
        metrics += averages(of: metrics)
        return metrics
    }

    /// One table-level row per metric name: the mean of the column (or pair) values that exist.
    private func averages(of metrics: [Metric]) -> [Metric] {
        var order: [String] = []
        var groups: [String: [Metric]] = [:]
        for metric in metrics where !metric.name.hasSuffix("_pvalue") && metric.name != "chi_squared" {
            if groups[metric.name] == nil { order.append(metric.name) }
            groups[metric.name, default: []].append(metric)
        }
        return order.map { name in
            let group = groups[name]!, values = group.filter(\.hasValue).map(\.value)
            let first = group[0]
            return Metric(name: name, value: values.isEmpty ? nil : values.reduce(0, +) / Double(values.count),
                          orElse: "no column or pair has a value", goal: first.goal, range: first.range)
        }
    }
}

/// One column on both sides, in the forms the statistics need.
struct PreparedColumn {
    let name: String
    let kind: ColumnKind
    let real: [Double]?, synthetic: [Double]?
    /// Present values sorted (numeric columns), and average ranks of every row when no cell is
    /// missing (so Spearman's ρ of a pair without missing cells needs no sort of its own).
    let sortedReal: [Double], sortedSynthetic: [Double]
    let realRanks: [Double]?, syntheticRanks: [Double]?
    /// Codes on one grid for both tables (for two_way_tv): categories, or numbers cut on the real
    /// column's ten equal-width bins with an open bin on each side and one for missing.
    let sharedRealCodes: [Int32], sharedSyntheticCodes: [Int32]
    let sharedCodeCount: Int
    let categories: SharedCategories?
    /// Codes for contingency tables: categories, or numbers cut into each table's ten bins.
    let realCodes: [Int32], syntheticCodes: [Int32]
    let codeCount: Int

    init(real column: Column, synthetic other: Column) {
        name = column.name
        kind = column.kind
        if ColumnShape(column.kind) == .continuous, let a = numbersWithMissing(column), let b = numbersWithMissing(other) {
            real = a
            synthetic = b
            sortedReal = a.filter { !$0.isNaN }.sorted()
            sortedSynthetic = b.filter { !$0.isNaN }.sorted()
            realRanks = sortedReal.count == a.count ? Correlation.averageRanks(a) : nil
            syntheticRanks = sortedSynthetic.count == b.count ? Correlation.averageRanks(b) : nil
            let edges = Fidelity.histogramEdges(sortedReal)
            let grid = { (values: [Double]) -> [Int32] in values.map { $0.isNaN ? Int32(edges.count + 1) : Int32(Fidelity.digitize($0, edges)) } }
            sharedRealCodes = grid(a)
            sharedSyntheticCodes = grid(b)
            sharedCodeCount = edges.count + 2
            categories = nil
            realCodes = QualityReport.bins(a)
            syntheticCodes = QualityReport.bins(b)
            codeCount = 12
        } else {
            real = nil
            synthetic = nil
            (sortedReal, sortedSynthetic, realRanks, syntheticRanks) = ([], [], nil, nil)
            let shared = SharedCategories(real: column, synthetic: other)
            categories = shared
            realCodes = shared.real
            syntheticCodes = shared.synthetic
            codeCount = shared.labels.count
            sharedRealCodes = shared.real
            sharedSyntheticCodes = shared.synthetic
            sharedCodeCount = shared.labels.count
        }
    }

    func marginalMetrics() -> [Metric] {
        if let real, let synthetic {
            let test = Fidelity.kolmogorovSmirnov(sortedFirst: sortedReal, sortedSecond: sortedSynthetic)
            let empty = "no present values on one side"
            return [
                Metric(name: "ks_statistic", column: name, value: test?.statistic, orElse: empty, goal: .minimize, range: 0...1),
                Metric(name: "ks_pvalue", column: name, value: test?.pValue, orElse: empty, goal: .none, range: 0...1),
                Metric(name: "wasserstein", column: name, value: Fidelity.wasserstein(sortedFirst: sortedReal, sortedSecond: sortedSynthetic),
                       orElse: empty,
                       goal: .minimize, range: 0...Double.infinity),
                Metric(name: "js_distance", column: name, value: Fidelity.jensenShannon(real: real, synthetic: synthetic),
                       orElse: empty, goal: .minimize, range: 0...1),
            ]
        }
        let categories = categories!
        let empty = "no present values on one side"
        let test = Fidelity.chiSquared(categories)
        let chiReason = Fidelity.totalVariation(categories) == nil ? empty : "a single category on both sides"
        return [
            Metric(name: "tv_distance", column: name, value: Fidelity.totalVariation(categories), orElse: empty,
                   goal: .minimize, range: 0...1),
            Metric(name: "chi_squared", column: name, value: test?.statistic, orElse: chiReason, goal: .none,
                   range: 0...Double.infinity),
            Metric(name: "chi_squared_pvalue", column: name, value: test?.pValue, orElse: chiReason, goal: .none, range: 0...1),
            Metric(name: "js_distance", column: name, value: Fidelity.jensenShannon(categories), orElse: empty,
                   goal: .minimize, range: 0...1),
        ]
    }

    static func pairMetrics(_ a: PreparedColumn, _ b: PreparedColumn) -> [Metric] {
        let label = a.name + "|" + b.name
        var metrics: [Metric] = []
        if let ar = a.real, let br = b.real, let asyn = a.synthetic, let bsyn = b.synthetic {
            // Spearman from the columns' own ranks when neither has a missing cell on that side.
            func spearman(_ x: [Double], _ y: [Double], _ rx: [Double]?, _ ry: [Double]?) -> Double? {
                if let rx, let ry { return Correlation.pearsonComplete(rx, ry) }
                return Correlation.spearman(x, y)
            }
            let coefficients: [(String, Double?, Double?)] = [
                ("pearson_similarity", Correlation.pearson(ar, br), Correlation.pearson(asyn, bsyn)),
                ("spearman_similarity", spearman(ar, br, a.realRanks, b.realRanks), spearman(asyn, bsyn, a.syntheticRanks, b.syntheticRanks)),
            ]
            for (name, real, synthetic) in coefficients {
                let reason = real == nil
                    ? "the real correlation is undefined (a constant column or fewer than two complete rows)"
                    : "the synthetic correlation is undefined (a constant column or fewer than two complete rows)"
                metrics.append(Metric(name: name, column: label,
                                      value: real.flatMap { r in synthetic.map { 1 - Swift.abs(r - $0) / 2 } },
                                      orElse: reason, goal: .maximize, range: 0...1))
            }
        }
        let twoWay = QualityReport.contingencySimilarity(a.sharedRealCodes, b.sharedRealCodes, a.sharedSyntheticCodes, b.sharedSyntheticCodes,
                                                         codes: (a.sharedCodeCount, b.sharedCodeCount))
        metrics.append(Metric(name: "two_way_tv", column: label, value: twoWay.map { 1 - $0 }, orElse: "an empty table",
                              goal: .minimize, range: 0...1))
        metrics.append(Metric(name: "contingency_similarity", column: label,
                              value: QualityReport.contingencySimilarity(a.realCodes, b.realCodes, a.syntheticCodes, b.syntheticCodes,
                                                                         codes: (a.codeCount, b.codeCount)),
                              orElse: "an empty table", goal: .maximize, range: 0...1))
        return metrics
    }
}
