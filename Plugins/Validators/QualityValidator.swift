import SynthKit
import SynthMetrics

/// SDMetrics' QualityReport score (single table), so our numbers sit beside published ones: the
/// Column Shapes and Column Pair Trends properties and their mean. See `QualityReport`.
public struct QualityValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "quality",
        name: "Quality score (SDMetrics QualityReport)",
        version: "1.0.0",
        kind: .validator,
        summary: "SDMetrics' QualityReport: Column Shapes, Column Pair Trends (with its thresholds) and their mean.")

    public init(parameters: Parameters, context: PluginContext) throws {}

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        let report: QualityReport
        do {
            report = try QualityReport(real: input.real, synthetic: input.synthetic) { try context.checkCancellation() }
        } catch let error as MetricsError {
            throw PluginError.invalidArgument(error.description)
        }
        let counted = report.pairs.filter(\.counts).count
        if counted == 0 {
            context.log(.info, "quality: no pair of columns has a real trend above SDMetrics' thresholds; the score is Column Shapes alone")
        }
        return [
            Metric(name: "column_shapes", value: report.columnShapes, orElse: "no column has a score", goal: .maximize, range: 0...1),
            Metric(name: "column_pair_trends", value: report.columnPairTrends,
                   orElse: report.pairs.isEmpty ? "the table has a single column"
                       : "no pair has a real correlation above 0.5 or a real association above 0.3",
                   goal: .maximize, range: 0...1),
            Metric(name: "quality", value: report.score, orElse: "no column or pair has a score", goal: .maximize, range: 0...1),
        ]
    }
}
