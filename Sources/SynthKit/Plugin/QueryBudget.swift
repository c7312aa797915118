/// The plan of a statistics privacy mechanism: the share of its budget (ε for Laplace, ρ for the
/// Gaussian mechanism) that each planned query gets, and how many have been answered.
public struct QueryBudget: Sendable, Equatable {
    public let total: Double
    /// Each planned query's share, in the order they will be asked; nil before `plan`.
    public private(set) var shares: [Double]?
    public private(set) var answered = 0

    public init(total: Double) { self.total = total }

    /// Splits `total` by `weights` (query i gets total · wᵢ / Σw).
    public mutating func plan(weights: [Double]) throws {
        guard !weights.isEmpty else { throw PluginError.invalidArgument("plan() needs at least one query") }
        guard weights.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw PluginError.invalidArgument("query weights must be positive numbers") }
        guard shares == nil else { throw PluginError.state("the budget was already planned for \(shares!.count) queries") }
        let sum = weights.reduce(0, +)
        shares = weights.map { total * $0 / sum }
    }

    /// Refuses an L1 sensitivity that is not a positive finite number.
    public static func check(l1Sensitivity: Double) throws {
        guard l1Sensitivity > 0, l1Sensitivity.isFinite else {
            throw PluginError.invalidArgument("L1 sensitivity must be a positive number, got \(l1Sensitivity)")
        }
    }

    /// The share of the next query, which it counts as answered; refuses a query beyond the plan.
    /// `spent` names the budget in the refusal.
    public mutating func next(spent: String) throws -> Double {
        guard let shares else { throw PluginError.state("call plan() before asking queries") }
        guard answered < shares.count else {
            throw PluginError.budget("query \(answered + 1) exceeds the \(shares.count) planned; \(spent) is spent")
        }
        answered += 1
        return shares[answered - 1]
    }

    /// The budget the answered queries used: exactly `total` once the whole plan is answered.
    public var used: Double {
        guard let shares else { return 0 }
        return answered == shares.count ? total : shares[..<answered].reduce(0, +)
    }

    /// How the plan split the budget, for the log: "over 7 queries (0.14 each)" or "over 28
    /// queries by weight (from 0.014 to 0.1)".
    public var splitDescription: String {
        guard let shares, let low = shares.min(), let high = shares.max() else { return "not planned" }
        return low == high ? "over \(shares.count) queries (\(low) each)" : "over \(shares.count) queries by weight (from \(low) to \(high))"
    }
}
