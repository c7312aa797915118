import SynthKit
import SynthMath

/// SDMetrics' Column Shapes property: for each column, how alike the real and synthetic marginals
/// are: KSComplement (1 − two-sample KS statistic, missing values dropped) for continuous,
/// integer and datetime columns, TVComplement (1 − total variation distance of the category
/// frequencies) for categorical and boolean ones. The property is their mean.
public struct ColumnShapesValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "column_shapes",
        name: "Column shapes",
        version: "1.0.0",
        kind: .validator,
        summary: "Per-column KS or TV complement between real and synthetic marginals, averaged (SDMetrics Column Shapes).")

    public init(parameters: Parameters, context: PluginContext) throws {}

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        var metrics: [Metric] = []
        var scores: [Double] = []
        for real in input.real.columns {
            try context.checkCancellation()
            guard let synthetic = input.synthetic.column(named: real.name) else {
                throw PluginError.invalidArgument("the synthetic table has no column '\(real.name)'")
            }
            let metric: Metric
            switch real.kind {
            case .categorical, .boolean:
                let score = 1 - totalVariation(real: categories(real), synthetic: categories(synthetic))
                metric = Metric(name: "tv_complement", column: real.name, value: score, goal: .maximize, range: 0...1)
            case .continuous, .integer, .datetime:
                let statistic = ksStatistic(real.presentNumbers() ?? [], synthetic.presentNumbers() ?? [])
                if statistic == nil { context.log(.warning, "column_shapes: column '\(real.name)' has no present values on one side") }
                metric = Metric(name: "ks_complement", column: real.name, value: statistic.map { 1 - $0 } ?? .nan,
                                goal: .maximize, range: 0...1)
            }
            metrics.append(metric)
            if !metric.value.isNaN { scores.append(metric.value) }
        }
        let average = scores.isEmpty ? Double.nan : scores.reduce(0, +) / Double(scores.count)
        metrics.append(Metric(name: "column_shapes", value: average, goal: .maximize, range: 0...1))
        return metrics
    }

    /// Cell values as category labels; a missing cell is a category of its own.
    private func categories(_ column: Column) -> [String?] {
        (0..<column.count).map { column.text(at: $0) }
    }

    /// SDMetrics' total variation distance: frequencies over the real table's categories, a value
    /// seen only in the synthetic data counting 1e-6 on the real side (its regularization).
    private func totalVariation(real: [String?], synthetic: [String?]) -> Double {
        var realCounts: [String?: Double] = [:], syntheticCounts: [String?: Double] = [:]
        var order: [String?] = []
        for value in real {
            if realCounts[value] == nil { order.append(value) }
            realCounts[value, default: 0] += 1
        }
        for value in synthetic { syntheticCounts[value, default: 0] += 1 }
        for value in synthetic where realCounts[value] == nil {
            realCounts[value] = 1e-6
            order.append(value)
        }
        let realTotal = order.reduce(0.0) { $0 + realCounts[$1]! }
        let syntheticTotal = Double(synthetic.count)
        guard syntheticTotal > 0 else { return 1 }
        var distance = 0.0
        for value in order {
            distance += Swift.abs((syntheticCounts[value] ?? 0) / syntheticTotal - realCounts[value]! / realTotal)
        }
        return distance / 2
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(ColumnShapesValidator.self) }
