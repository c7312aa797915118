import SynthKit
import SynthMath
import SynthMetrics

/// How close synthetic records come to the real records they were made from, measured against how
/// close unseen real records (the holdout) come to them. Records are points of one Euclidean space
/// (numbers scaled by the training range, categories one-hot at distance 1; `RecordEncoder`).
/// - distance to closest record (DCR): median over synthetic rows of the distance to the nearest
///   training row, the same for holdout rows, and their ratio (below 1: synthetic rows sit closer
///   to the training rows than fresh real rows do);
/// - nearest-neighbour distance ratio (NNDR): nearest over second-nearest training distance;
/// - exact-copy rate: synthetic rows equal to some training row in every cell (the holdout's rate
///   beside it, since real tables have duplicates);
/// - membership inference: an attacker who calls a record a member when a synthetic record lies
///   close to it; the ROC AUC of that score over training rows (members) and holdout rows (not),
///   0.5 being no better than a coin.
public struct PrivacyRiskValidator: Validator {
    public static let descriptor = PluginDescriptor(
        id: "privacy_risk",
        name: "Privacy risk",
        version: "1.1.0",
        kind: .validator,
        summary: "Distance to closest record, nearest-neighbour ratio, exact copies and a distance-based membership-inference AUC.",
        parameters: [
            .int("max_rows", default: 0, min: 0, max: 100_000_000,
                 help: "Rows drawn from each table at most (0: every row)."),
        ],
        validatorNeeds: [.holdout])

    let maxRows: Int

    public init(parameters: Parameters, context: PluginContext) throws {
        maxRows = parameters.int("max_rows")
    }

    public func validate(_ input: ValidationInput, context: PluginContext) throws -> [Metric] {
        guard let holdoutTable = input.holdout else { throw PluginError.invalidArgument("no holdout table (give --holdout)") }
        func sample(_ table: Table, _ label: String) -> Table {
            guard maxRows > 0, table.rowCount > maxRows else { return table }
            var random = context.random("privacy_risk." + label)
            return table.rows(Array(random.permutation(table.rowCount).prefix(maxRows)).sorted())
        }
        let train = sample(input.real, "train"), synthetic = sample(input.synthetic, "synthetic"), holdout = sample(holdoutTable, "holdout")
        let empty = "a table has no rows"
        guard train.rowCount > 0, synthetic.rowCount > 0, holdout.rowCount > 0 else {
            return ["dcr_synthetic_median", "dcr_holdout_median", "dcr_ratio", "nndr_synthetic_median", "nndr_holdout_median",
                    "exact_copy_rate", "exact_copy_rate_holdout", "mia_auc"].map {
                Metric(name: $0, notApplicable: empty, goal: .none, range: 0...Double.infinity)
            }
        }
        let encoder = RecordEncoder(reference: train)
        let trainPoints: [Float], syntheticPoints: [Float], holdoutPoints: [Float]
        do {
            trainPoints = try encoder.encode(train)
            syntheticPoints = try encoder.encode(synthetic)
            holdoutPoints = try encoder.encode(holdout)
        } catch let error as MetricsError {
            throw PluginError.invalidArgument(error.description)
        }
        let check = { try context.checkCancellation() }
        context.progress(0, "privacy_risk: synthetic to training distances")
        let fromSynthetic = try nearestNeighbourDistances(queries: syntheticPoints, references: trainPoints, width: encoder.width, cancelled: check)
        context.progress(0.35, "privacy_risk: holdout to training distances")
        let fromHoldout = try nearestNeighbourDistances(queries: holdoutPoints, references: trainPoints, width: encoder.width, cancelled: check)

        // Membership inference: equal numbers of members (training rows) and non-members.
        context.progress(0.7, "privacy_risk: membership inference")
        let count = min(train.rowCount, holdout.rowCount)
        var random = context.random("privacy_risk.members")
        let members = Array(random.permutation(train.rowCount).prefix(count)).sorted()
        let nonMembers = Array(random.permutation(holdout.rowCount).prefix(count)).sorted()
        let width = encoder.width
        var candidates = [Float]()
        candidates.reserveCapacity(2 * count * width)
        for row in members { candidates += trainPoints[(row * width)..<((row + 1) * width)] }
        for row in nonMembers { candidates += holdoutPoints[(row * width)..<((row + 1) * width)] }
        let toSynthetic = try nearestNeighbourDistances(queries: candidates, references: syntheticPoints, width: width, cancelled: check)
        let truth = [Bool](repeating: true, count: count) + [Bool](repeating: false, count: count)
        let attack = Scores.rocAUC(toSynthetic.nearest.map { -$0 }, positive: truth)

        func ratios(_ pair: (nearest: [Double], second: [Double])) -> [Double] {
            zip(pair.nearest, pair.second).compactMap { near, next in
                guard next.isFinite else { return nil }
                return next > 0 ? near / next : (near == 0 ? 1 : 0)
            }
        }
        let dcrSynthetic = median(fromSynthetic.nearest), dcrHoldout = median(fromHoldout.nearest)
        let copies: [Bool], holdoutCopies: [Bool]
        do {
            copies = try exactCopies(of: synthetic, in: train)
            holdoutCopies = try exactCopies(of: holdout, in: train)
        } catch let error as MetricsError {
            throw PluginError.invalidArgument(error.description)
        }
        context.progress(1, nil)
        let oneRow = "the training table has a single row, so there is no second neighbour"
        return [
            Metric(name: "dcr_synthetic_median", value: dcrSynthetic, orElse: empty, goal: .none, range: 0...Double.infinity),
            Metric(name: "dcr_holdout_median", value: dcrHoldout, orElse: empty, goal: .none, range: 0...Double.infinity),
            Metric(name: "dcr_ratio", value: dcrSynthetic.flatMap { s in dcrHoldout.flatMap { $0 > 0 ? s / $0 : nil } },
                   orElse: "the holdout's median distance to the training rows is 0 (most holdout rows copy a training row)",
                   goal: .none, range: 0...Double.infinity),
            Metric(name: "nndr_synthetic_median", value: median(ratios(fromSynthetic)), orElse: oneRow, goal: .none, range: 0...1),
            Metric(name: "nndr_holdout_median", value: median(ratios(fromHoldout)), orElse: oneRow, goal: .none, range: 0...1),
            Metric(name: "exact_copy_rate", value: Double(copies.filter { $0 }.count) / Double(copies.count), goal: .minimize, range: 0...1),
            Metric(name: "exact_copy_rate_holdout", value: Double(holdoutCopies.filter { $0 }.count) / Double(holdoutCopies.count),
                   goal: .none, range: 0...1),
            Metric(name: "mia_auc", value: attack, orElse: empty, goal: .nearest(0.5), range: 0...1),
        ]
    }
}
