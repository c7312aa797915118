/// A plugin written in Swift. Conform to one of `Generator`, `Validator` or `PrivacyMechanism`
/// and export the type with `exportPlugins(_:)`; SynthKit does the C bridging.
///
/// `init(parameters:context:)` receives a complete set of values that the host has already
/// validated against `descriptor.parameters`.
public protocol SynthPlugin {
    static var descriptor: PluginDescriptor { get }
    init(parameters: Parameters, context: PluginContext) throws
}

/// Learns from a table, then makes new rows like it.
public protocol Generator: SynthPlugin {
    /// Learn from `table`. When a privacy mechanism is composed, `context.privacy` offers the
    /// capability this generator declared it consumes; every statistic of the data must go
    /// through it.
    mutating func fit(_ table: Table, context: PluginContext) throws
    /// `rows` new rows with the fitted table's columns, names and kinds.
    mutating func sample(rows: Int, context: PluginContext) throws -> Table
}

/// A generator that also samples given one categorical value (for rare-class augmentation).
/// Declare it in the descriptor with `samplesConditionally: true`.
public protocol ConditionalGenerator: Generator {
    /// `rows` rows drawn given that the categorical or boolean column `column` has the category
    /// `value` ("true" or "false" for booleans).
    mutating func sample(rows: Int, where column: String, equals value: String, context: PluginContext) throws -> Table
}

/// A generator whose fitted model can be saved and restored (`synth.generator.state/1`).
public protocol PersistentGenerator: Generator {
    /// The fitted model as bytes; no rows of the training table.
    func saveState(context: PluginContext) throws -> [UInt8]
    /// Restores bytes that `saveState` made, on an instance created with the same parameters.
    mutating func loadState(_ bytes: [UInt8], context: PluginContext) throws
}

/// Compares real and synthetic tables and reports metrics.
public protocol Validator: SynthPlugin {
    func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric]
}

/// A differential-privacy mechanism and its accountant.
public protocol PrivacyMechanism: SynthPlugin {
    /// What has been spent so far.
    var spent: PrivacySpend { get }
    /// The configured budget.
    var budget: PrivacySpend { get }
}

/// The *statistics* capability: noisy answers to counting queries.
public protocol StatisticsPrivacy: PrivacyMechanism {
    /// The consumer will ask `queries` queries; the budget is split across them.
    mutating func plan(queries: Int, context: PluginContext) throws
    /// The consumer will ask `weights.count` queries; query i gets weights[i] / Σ weights of the budget.
    mutating func plan(weights: [Double], context: PluginContext) throws
    /// Noisy versions of exact histogram `counts` whose L1 sensitivity is `l1Sensitivity`.
    mutating func histogram(_ counts: [Double], l1Sensitivity: Double, context: PluginContext) throws -> [Double]
}

extension StatisticsPrivacy {
    /// An even split: every query gets the same weight.
    public mutating func plan(queries: Int, context: PluginContext) throws {
        guard queries > 0 else { throw PluginError.invalidArgument("plan() needs at least one query") }
        try plan(weights: [Double](repeating: 1, count: queries), context: context)
    }
}

/// A DP-SGD training plan: what the mechanism accounts for.
public struct GradientPlan: Sendable, Equatable {
    /// Each example joins a step's batch independently with this probability (Poisson sampling).
    public var samplingRate: Double
    public var steps: Int
    public var clipNorm: Double
    public var noiseMultiplier: Double

    public init(samplingRate: Double, steps: Int, clipNorm: Double, noiseMultiplier: Double) {
        self.samplingRate = samplingRate
        self.steps = steps
        self.clipNorm = clipNorm
        self.noiseMultiplier = noiseMultiplier
    }
}

/// The *gradient* capability (DP-SGD): plans a training run, clips per-example gradients, noises
/// their sum and accounts each step.
public protocol GradientPrivacy: PrivacyMechanism {
    mutating func plan(examples: Int, batchSize: Int, epochs: Int, context: PluginContext) throws -> GradientPlan
    func clipFactors(_ norms: [Double]) -> [Double]
    mutating func noise(_ sum: inout [Float], context: PluginContext) throws
}

/// Errors a plugin throws; each maps onto a `synth_status` code at the boundary. Any other error
/// crosses as `internal` with its description.
public enum PluginError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case unsupported(String)
    case state(String)
    case cancelled
    case budget(String)
    case `internal`(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .unsupported(let m), .state(let m), .budget(let m), .internal(let m): m
        case .cancelled: "cancelled"
        }
    }
}
