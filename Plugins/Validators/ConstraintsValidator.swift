import SynthKit
import SynthMetrics

/// Whether synthetic rows keep the rules the real rows keep: for each rule given (an inequality
/// between columns, or a functional dependency), the share of the synthetic table's rows that
/// break it, beside the real table's share, and the share of rows that break at least one.
public struct ConstraintsValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "constraints",
        name: "Constraints",
        version: "1.0.1",
        kind: .validator,
        summary: "Share of rows that break each rule given (dropoff >= pickup; total >= fare + tip + tolls; zone -> borough), synthetic beside real.",
        parameters: [
            .string("rules", default: "",
                    help: "Rules separated by ';': inequalities between linear expressions of numeric columns (>=, <=, >, <, ==, !=; "
                        + "datetimes in seconds), or dependencies A, B -> C; a name with '-' or a space between backticks."),
        ])

    let rules: [ConstraintRule]

    public init(parameters: Parameters, context: PluginContext) throws {
        do { rules = try ConstraintRule.parse(parameters.string("rules")) } catch {
            throw PluginError.invalidArgument(error.description)
        }
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        let names = ["constraint_violation_rate", "constraint_violation_rate_real"]
        guard !rules.isEmpty else {
            return names.map { Metric(name: $0, notApplicable: "no rules: set the parameter rules=\"RULE; RULE\"", goal: .none, range: 0...1) }
        }
        var metrics: [Metric] = []
        var realBroken = [Bool?](repeating: nil, count: input.real.rowCount)
        var syntheticBroken = [Bool?](repeating: nil, count: input.synthetic.rowCount)
        /// Marks each judged row broken (true) or kept (false, unless already broken).
        func merge(_ judged: [Bool?], into broken: inout [Bool?]) {
            for (row, kept) in judged.enumerated() { if let kept { broken[row] = (broken[row] ?? false) || !kept } }
        }
        func share(_ judged: [Bool?], _ breaking: (Bool) -> Bool) -> Double? {
            let seen = judged.compactMap { $0 }
            return seen.isEmpty ? nil : Double(seen.filter(breaking).count) / Double(seen.count)
        }
        for rule in rules {
            let real: [Bool?], synthetic: [Bool?]
            do {
                let mapping = rule.dependencyMapping(input.real)
                real = try rule.judge(input.real, mapping: mapping)
                synthetic = try rule.judge(input.synthetic, mapping: mapping)
            } catch {
                throw PluginError.invalidArgument(error.description)
            }
            merge(real, into: &realBroken)
            merge(synthetic, into: &syntheticBroken)
            let none = "no row has every cell the rule reads"
            metrics.append(Metric(name: "constraint_violations", column: rule.text, value: share(synthetic) { !$0 },
                                  orElse: rule.isDependency ? none + " and a key the real table holds" : none, goal: .minimize, range: 0...1))
            metrics.append(Metric(name: "constraint_violations_real", column: rule.text, value: share(real) { !$0 },
                                  orElse: none, goal: .none, range: 0...1))
        }
        let none = "no row has every cell of any rule"
        metrics.append(Metric(name: "constraint_violation_rate", value: share(syntheticBroken) { $0 }, orElse: none, goal: .minimize, range: 0...1))
        metrics.append(Metric(name: "constraint_violation_rate_real", value: share(realBroken) { $0 }, orElse: none, goal: .none, range: 0...1))
        return metrics
    }
}
