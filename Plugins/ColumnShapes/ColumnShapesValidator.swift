import SynthKit
import SynthMetrics

/// SDMetrics' Column Shapes property: for each column, how alike the real and synthetic marginals
/// are: KSComplement (1 − two-sample KS statistic) for continuous, integer and datetime columns,
/// TVComplement (1 − total variation distance of the category frequencies) for categorical and
/// boolean ones, both on the present values (`missing_rates` compares how often cells are
/// missing). The property is their mean.
public struct ColumnShapesValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "column_shapes",
        name: "Column shapes",
        version: "1.1.0",
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
            let shape = QualityReport.shapeScore(real: real, synthetic: synthetic)
            metrics.append(Metric(name: shape.metric, column: real.name, value: shape.score,
                                  orElse: shape.reason ?? "no score", goal: .maximize, range: 0...1))
            if let score = shape.score { scores.append(score) }
        }
        metrics.append(Metric(name: "column_shapes", value: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
                              orElse: "no column has a score", goal: .maximize, range: 0...1))
        return metrics
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(ColumnShapesValidator.self) }
