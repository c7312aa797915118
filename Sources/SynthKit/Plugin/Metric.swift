/// Whether a metric is better high, low or at a value.
public enum MetricGoal: Sendable, Equatable, Hashable {
    case maximize, minimize
    /// Best at the value given, worse the farther from it on either side: a membership attack's
    /// AUC, whose 0.5 is the attacker learning nothing and whose 0.3 tells members apart as well
    /// as 0.7 does once the score is turned around.
    case nearest(Double)
    /// Informational: no value is better throughout.
    case none

    /// The goal's name in the results store and in JSON: maximize, minimize, nearest, none.
    public var name: String {
        switch self {
        case .maximize: "maximize"
        case .minimize: "minimize"
        case .nearest: "nearest"
        case .none: "none"
        }
    }

    /// The best value of a `nearest` goal; nil for the others.
    public var target: Double? {
        if case .nearest(let target) = self { target } else { nil }
    }

    /// The goal of a stored name and target; nil for an unknown name or a `nearest` goal without
    /// a finite target.
    public init?(name: String, target: Double?) {
        switch name {
        case "maximize": self = .maximize
        case "minimize": self = .minimize
        case "none": self = .none
        case "nearest":
            guard let target, target.isFinite else { return nil }
            self = .nearest(target)
        default: return nil
        }
    }

    /// How far a value is from the best, for ranking: lower is better, and equal keys tie. Nil
    /// for an informational metric.
    public func rankingKey(_ value: Double) -> Double? {
        switch self {
        case .maximize: -value
        case .minimize: value
        case .nearest(let target): Swift.abs(value - target)
        case .none: nil
        }
    }

    /// Which way is better, for people: "higher is better", "nearer 0.5 is better".
    public var phrase: String? {
        switch self {
        case .maximize: "higher is better"
        case .minimize: "lower is better"
        case .nearest(let target): "nearer \(formatDouble(target)) is better"
        case .none: nil
        }
    }
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
