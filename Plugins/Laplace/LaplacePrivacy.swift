import Foundation
import SynthKit
import SynthMath

/// The Laplace mechanism (Dwork, McSherry, Nissim & Smith, 2006) for counting queries: a query
/// with L1 sensitivity Δ answered with ε_q-differential privacy gets Laplace(Δ/ε_q) noise on each
/// cell. The consumer announces its queries; ε is split across them (evenly, or by the weights it
/// gives), and by basic sequential composition the total spent is the sum of the ε_q answered
/// (δ = 0).
public struct LaplacePrivacy: StatisticsPrivacy {
    public static let descriptor = PluginDescriptor(
        id: "laplace",
        name: "Laplace mechanism",
        version: "1.0.0",
        kind: .privacy,
        summary: "Pure ε-differential privacy for counts and histograms by Laplace noise, ε split evenly across queries.",
        parameters: [
            .float("epsilon", default: nil, min: 0, max: 1e6, flags: [.privacyRelevant, .minExclusive],
                   help: "Total privacy budget ε of the run (smaller is more private)."),
        ],
        capabilities: [Capability.privacyStatistics])

    private let epsilon: Double
    /// ε of each planned query, in the order they will be asked.
    private var plan: QueryBudget

    public init(parameters: Parameters, context: PluginContext) throws {
        epsilon = parameters.float("epsilon")
        plan = QueryBudget(total: epsilon)
    }

    public var spent: PrivacySpend { PrivacySpend(epsilon: plan.used, delta: 0) }
    public var budget: PrivacySpend { PrivacySpend(epsilon: epsilon, delta: 0) }

    public mutating func plan(weights: [Double], context: PluginContext) throws {
        try plan.plan(weights: weights)
        context.log(.info, "laplace: ε = \(epsilon) split \(plan.splitDescription)")
    }

    public mutating func histogram(_ counts: [Double], l1Sensitivity: Double, context: PluginContext) throws -> [Double] {
        try QueryBudget.check(l1Sensitivity: l1Sensitivity)
        var random = context.random("laplace.query.\(plan.answered)")
        let scale = l1Sensitivity / (try plan.next(spent: "ε = \(epsilon)"))
        return counts.map { $0 + random.nextLaplace(scale: scale) }
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(LaplacePrivacy.self) }
