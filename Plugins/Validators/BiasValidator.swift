import SynthKit
import SynthMetrics

/// Whether synthetic data keeps, hides or amplifies a disparity: for each group of a sensitive
/// column, the rate of the target's positive class (the mean, for a numeric target) in the real
/// and the synthetic table, and the demographic-parity gap (largest minus smallest group rate,
/// over groups with at least `min_rows` rows on both sides).
public struct BiasValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "bias",
        name: "Bias across groups",
        version: "1.0.0",
        kind: .validator,
        summary: "Per-group positive rate of the target in real vs synthetic data, and the parity gap of each.",
        parameters: [
            .string("sensitive", default: "", help: "The sensitive column whose groups are compared (e.g. sex, race)."),
            .string("positive", default: "", help: "The positive class (default: the rarer of two classes)."),
            .int("min_rows", default: 30, min: 1, max: 1_000_000_000, help: "Groups smaller than this on either side are left out of the gap."),
        ],
        validatorNeeds: [.target])

    let sensitive: String?
    let positive: String?
    let minimumRows: Int

    public init(parameters: Parameters, context: PluginContext) throws {
        sensitive = Self.optionalText(parameters, "sensitive")
        positive = Self.optionalText(parameters, "positive")
        minimumRows = parameters.int("min_rows")
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        let gapNames = ["parity_gap_real", "parity_gap_synthetic", "parity_gap_change"]
        func unavailable(_ reason: String) -> [Metric] {
            gapNames.map { Metric(name: $0, notApplicable: reason, goal: .none, range: -1...1) }
        }
        guard let sensitive else { return unavailable("no sensitive column: set the parameter sensitive=COLUMN") }
        guard let target = input.target else { throw PluginError.invalidArgument("no target column (give --target)") }
        guard let realGroups = input.real.column(named: sensitive) else {
            throw PluginError.invalidArgument("the real table has no column '\(sensitive)' (parameter sensitive)")
        }
        guard let syntheticGroups = input.synthetic.column(named: sensitive) else {
            throw PluginError.invalidArgument("the synthetic table has no column '\(sensitive)'")
        }
        guard sensitive != target else { throw PluginError.invalidArgument("the sensitive column is the target '\(target)'") }
        let problem: SupervisedProblem
        do { problem = try SupervisedProblem(target: target, reference: input.real) } catch {
            throw PluginError.invalidArgument(String(describing: error))
        }
        // The value whose rate is compared: 1 for the positive class, or the number itself.
        var positiveIndex: Int?
        if case .classification(let classes) = problem.task {
            if let positive {
                guard let index = classes.firstIndex(of: positive) else {
                    throw PluginError.invalidArgument("positive class '\(positive)' is not a class of '\(target)' (\(classes.joined(separator: ", ")))")
                }
                positiveIndex = index
            } else if classes.count == 2 {
                let values = Targets(input.real.column(named: target)!, task: problem.task).values
                positiveIndex = values.filter { $0 == 1 }.count * 2 <= values.filter { !$0.isNaN }.count ? 1 : 0
            } else {
                return unavailable("'\(target)' has \(classes.count) classes: name the positive one (parameter positive)")
            }
        }
        func rates(_ table: Table, _ groups: Column) throws -> [String?: (rate: Double, rows: Int)] {
            guard let column = table.column(named: target) else { throw PluginError.invalidArgument("a table has no column '\(target)'") }
            let values = Targets(column, task: problem.task).values
            var sums: [String?: (Double, Int)] = [:]
            for row in 0..<table.rowCount where !values[row].isNaN {
                let outcome = positiveIndex.map { Int(values[row]) == $0 ? 1.0 : 0.0 } ?? values[row]
                sums[groups.text(at: row), default: (0, 0)].0 += outcome
                sums[groups.text(at: row), default: (0, 0)].1 += 1
            }
            return sums.mapValues { ($0.0 / Double($0.1), $0.1) }
        }
        let real = try rates(input.real, realGroups), synthetic = try rates(input.synthetic, syntheticGroups)
        let label = positiveIndex == nil ? "mean" : "positive_rate"
        let range: ClosedRange<Double> = positiveIndex == nil ? -Double.infinity...Double.infinity : 0...1
        var metrics: [Metric] = []
        // Groups by name, the missing group last.
        let groups = Set(real.keys).union(synthetic.keys).sorted { a, b in
            switch (a, b) {
            case (nil, _): false
            case (_, nil): true
            case let (a?, b?): a < b
            }
        }
        for group in groups {
            let column = sensitive + "=" + (group ?? "missing")
            metrics.append(Metric(name: label + "_real", column: column, value: real[group]?.rate,
                                  orElse: "no real row in this group", goal: .none, range: range))
            metrics.append(Metric(name: label + "_synthetic", column: column, value: synthetic[group]?.rate,
                                  orElse: "no synthetic row in this group", goal: .none, range: range))
        }
        let compared = groups.filter { (real[$0]?.rows ?? 0) >= minimumRows && (synthetic[$0]?.rows ?? 0) >= minimumRows }
        guard compared.count >= 2 else {
            return metrics + unavailable("fewer than two groups of '\(sensitive)' have \(minimumRows) rows on both sides")
        }
        func gap(_ side: [String?: (rate: Double, rows: Int)]) -> Double {
            let values = compared.map { side[$0]!.rate }
            return values.max()! - values.min()!
        }
        let gapRange: ClosedRange<Double> = positiveIndex == nil ? 0...Double.infinity : 0...1
        metrics.append(Metric(name: "parity_gap_real", value: gap(real), goal: .none, range: gapRange))
        metrics.append(Metric(name: "parity_gap_synthetic", value: gap(synthetic), goal: .none, range: gapRange))
        metrics.append(Metric(name: "parity_gap_change", value: gap(synthetic) - gap(real), goal: .none,
                              range: positiveIndex == nil ? -Double.infinity...Double.infinity : -1...1))
        return metrics
    }
}
