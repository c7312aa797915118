import Foundation
import SynthKit
import SynthMath

/// The Gaussian mechanism for counting queries under zero-concentrated differential privacy
/// (Bun & Steinke, 2016). The budget (ε, δ) becomes ρ-zCDP with the largest ρ whose conversion
/// ρ + 2√(ρ·ln(1/δ)) stays at ε (their Proposition 1.3); ρ is split evenly across the consumer's
/// queries, and a query with L2 sensitivity Δ₂ answered with ρ_q gets N(0, σ²) noise on each cell,
/// σ = Δ₂/√(2ρ_q) (their Proposition 1.6). zCDP composes by adding ρ, so the (ε, δ) spent is the
/// conversion of the ρ answered so far. The consumer states the L1 sensitivity; since ‖·‖₂ ≤ ‖·‖₁
/// it bounds Δ₂ as well.
public struct GaussianPrivacy: StatisticsPrivacy {
    public static let descriptor = PluginDescriptor(
        id: "gaussian",
        name: "Gaussian mechanism (zCDP)",
        version: "1.0.0",
        kind: .privacy,
        summary: "(ε, δ)-differential privacy for counts and histograms by Gaussian noise, composed in zCDP across queries.",
        parameters: [
            .float("epsilon", default: nil, min: 0, max: 1e6, flags: [.privacyRelevant, .minExclusive],
                   help: "Total privacy budget ε of the run (smaller is more private)."),
            .float("delta", default: 1e-5, min: 0, max: 1, flags: [.privacyRelevant, .minExclusive, .maxExclusive],
                   help: "δ of the (ε, δ) guarantee; keep it below 1 / rows."),
        ],
        capabilities: [Capability.privacyStatistics])

    private let epsilon: Double
    private let delta: Double
    /// The zCDP budget the (ε, δ) target converts to.
    private let rho: Double
    /// ρ of each planned query, in the order they will be asked.
    private var plan: QueryBudget

    public init(parameters: Parameters, context: PluginContext) throws {
        epsilon = parameters.float("epsilon")
        delta = parameters.float("delta")
        rho = Self.rho(epsilon: epsilon, delta: delta)
        plan = QueryBudget(total: rho)
    }

    /// The largest ρ with ρ + 2√(ρ·ln(1/δ)) ≤ ε: (√(ln(1/δ) + ε) − √(ln(1/δ)))².
    public static func rho(epsilon: Double, delta: Double) -> Double {
        let l = log(1 / delta)
        let root = (l + epsilon).squareRoot() - l.squareRoot()
        return root * root
    }

    /// The ε of ρ-zCDP at δ: ρ + 2√(ρ·ln(1/δ)).
    public static func epsilon(rho: Double, delta: Double) -> Double {
        rho + 2 * (rho * log(1 / delta)).squareRoot()
    }

    public var spent: PrivacySpend {
        guard let shares = plan.shares, plan.answered > 0 else { return PrivacySpend(epsilon: 0, delta: 0) }
        if plan.answered == shares.count { return PrivacySpend(epsilon: epsilon, delta: delta) }
        return PrivacySpend(epsilon: min(Self.epsilon(rho: plan.used, delta: delta), epsilon), delta: delta)
    }

    public var budget: PrivacySpend { PrivacySpend(epsilon: epsilon, delta: delta) }

    public mutating func plan(weights: [Double], context: PluginContext) throws {
        try plan.plan(weights: weights)
        context.log(.info, "gaussian: (ε = \(epsilon), δ = \(delta)) is ρ = \(rho) zCDP, split \(plan.splitDescription)")
    }

    public mutating func histogram(_ counts: [Double], l1Sensitivity: Double, context: PluginContext) throws -> [Double] {
        try QueryBudget.check(l1Sensitivity: l1Sensitivity)
        var random = context.random("gaussian.query.\(plan.answered)")
        let sigma = l1Sensitivity / (2 * (try plan.next(spent: "(ε = \(epsilon), δ = \(delta))"))).squareRoot()
        return counts.map { $0 + sigma * random.nextNormal() }
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(GaussianPrivacy.self) }
