/// Whether a metric is better high or low.
public enum MetricGoal: String, Sendable, Codable {
    case maximize, minimize, none
}

/// One number a validator reports, or the reason it has none for these tables.
public struct Metric: Sendable, Equatable {
    public var name: String
    /// The column it is about (or "a|b" for a pair of columns), or nil for a table-level metric.
    public var column: String?
    /// Finite when `notApplicable` is nil; NaN otherwise.
    public var value: Double
    public var goal: MetricGoal
    /// The range of possible values (`-infinity`/`infinity` when unbounded).
    public var range: ClosedRange<Double>
    /// Why the metric has no value here (a constant column, a single class, no rows left…).
    public var notApplicable: String?

    /// A metric with a value. A non-finite value becomes "not applicable", so no NaN or infinity
    /// ever reaches a report. A value past an end of its range by rounding alone (a similarity of
    /// 1 − 1.0000000000000002 / 2 … ; within 1e-9 of the end, relative to its size) is that end.
    public init(name: String, column: String? = nil, value: Double, goal: MetricGoal, range: ClosedRange<Double>) {
        self.name = name
        self.column = column
        self.goal = goal
        self.range = range
        if value.isFinite {
            let slack = { (end: Double) in 1e-9 * Swift.max(1, Swift.abs(end)) }
            if value < range.lowerBound, range.lowerBound - value <= slack(range.lowerBound) {
                self.value = range.lowerBound
            } else if value > range.upperBound, value - range.upperBound <= slack(range.upperBound) {
                self.value = range.upperBound
            } else {
                self.value = value
            }
        } else {
            self.value = .nan
            self.notApplicable = "no finite value (\(value))"
        }
    }

    /// A metric that has no value for these tables, and why.
    public init(name: String, column: String? = nil, notApplicable reason: String, goal: MetricGoal, range: ClosedRange<Double>) {
        self.name = name
        self.column = column
        self.value = .nan
        self.goal = goal
        self.range = range
        self.notApplicable = reason
    }

    /// A value, or not applicable with `reason` when `value` is nil or not finite.
    public init(name: String, column: String? = nil, value: Double?, orElse reason: String, goal: MetricGoal,
                range: ClosedRange<Double>) {
        if let value, value.isFinite {
            self.init(name: name, column: column, value: value, goal: goal, range: range)
        } else {
            self.init(name: name, column: column, notApplicable: reason, goal: goal, range: range)
        }
    }

    public var hasValue: Bool { notApplicable == nil }

    /// Equal when everything but a NaN value agrees.
    public static func == (a: Metric, b: Metric) -> Bool {
        a.name == b.name && a.column == b.column && a.goal == b.goal && a.range == b.range
            && a.notApplicable == b.notApplicable && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// The tables a validator compares.
public struct ValidationInput: Sendable {
    public var real: Table
    public var synthetic: Table
    public var holdout: Table?
    public var target: String?

    public init(real: Table, synthetic: Table, holdout: Table? = nil, target: String? = nil) {
        self.real = real
        self.synthetic = synthetic
        self.holdout = holdout
        self.target = target
    }
}

/// What a privacy mechanism has spent or may spend.
public struct PrivacySpend: Sendable, Equatable {
    public var epsilon: Double
    public var delta: Double
    public init(epsilon: Double, delta: Double) {
        self.epsilon = epsilon
        self.delta = delta
    }
}
