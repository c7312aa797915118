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
    private var shares: [Double]?
    private var answered = 0
    private var spentEpsilon = 0.0

    public init(parameters: Parameters, context: PluginContext) throws {
        epsilon = parameters.float("epsilon")
    }

    public var spent: PrivacySpend { PrivacySpend(epsilon: spentEpsilon, delta: 0) }
    public var budget: PrivacySpend { PrivacySpend(epsilon: epsilon, delta: 0) }

    public mutating func plan(queries: Int, context: PluginContext) throws {
        guard queries > 0 else { throw PluginError.invalidArgument("plan() needs at least one query") }
        try plan(weights: [Double](repeating: 1, count: queries), context: context)
    }

    public mutating func plan(weights: [Double], context: PluginContext) throws {
        guard !weights.isEmpty else { throw PluginError.invalidArgument("plan() needs at least one query") }
        guard weights.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw PluginError.invalidArgument("query weights must be positive numbers") }
        guard shares == nil else { throw PluginError.state("the budget was already planned for \(shares!.count) queries") }
        let total = weights.reduce(0, +)
        shares = weights.map { epsilon * $0 / total }
        let even = Set(weights).count == 1
        context.log(.info, even
            ? "laplace: ε = \(epsilon) split over \(weights.count) queries (ε = \(epsilon / Double(weights.count)) each)"
            : "laplace: ε = \(epsilon) split over \(weights.count) queries by weight (ε from \(shares!.min()!) to \(shares!.max()!))")
    }

    public mutating func histogram(_ counts: [Double], l1Sensitivity: Double, context: PluginContext) throws -> [Double] {
        guard let shares else { throw PluginError.state("call plan() before asking queries") }
        guard answered < shares.count else {
            throw PluginError.budget("query \(answered + 1) exceeds the \(shares.count) planned; ε = \(epsilon) is spent")
        }
        guard l1Sensitivity > 0, l1Sensitivity.isFinite else {
            throw PluginError.invalidArgument("L1 sensitivity must be a positive number, got \(l1Sensitivity)")
        }
        var random = context.random("laplace.query.\(answered)")
        let scale = l1Sensitivity / shares[answered]
        let noisy = counts.map { $0 + random.nextLaplace(scale: scale) }
        answered += 1
        // The whole plan spends exactly ε; partial sums add the shares answered.
        spentEpsilon = answered == shares.count ? epsilon : shares[..<answered].reduce(0, +)
        return noisy
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(LaplacePrivacy.self) }
