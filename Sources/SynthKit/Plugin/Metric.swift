/// Whether a metric is better high or low.
public enum MetricGoal: String, Sendable, Codable {
    case maximize, minimize, none
}

/// One number a validator reports.
public struct Metric: Sendable, Equatable {
    public var name: String
    /// The column it is about, or nil for a table-level metric.
    public var column: String?
    public var value: Double
    public var goal: MetricGoal
    /// The range of possible values (`-infinity`/`infinity` when unbounded).
    public var range: ClosedRange<Double>

    public init(name: String, column: String? = nil, value: Double, goal: MetricGoal, range: ClosedRange<Double>) {
        self.name = name
        self.column = column
        self.value = value
        self.goal = goal
        self.range = range
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
