import Foundation
import SynthKit
import SynthMath

/// A Gaussian copula: every column goes to normal scores through its own marginal, the scores'
/// correlation is estimated, and sampling draws correlated normal scores and maps each back.
///
/// - Numeric columns (continuous, integer, datetime): the marginal is chosen among normal,
///   truncated normal, beta, gamma, uniform and a smoothed empirical distribution (linear
///   interpolation of the midpoint empirical CDF) by the KS statistic, each candidate fitted on half
///   of the rows and tested on the other half, then refitted on all of them. Samples are clipped to
///   the observed range and rounded to the column's grid.
/// - Categorical and boolean columns: each category is an interval of [0, 1) as wide as its
///   frequency; a row's score is Φ⁻¹ of a uniform point in its category's interval, so the
///   frequencies survive the copula.
/// - Missing values: a numeric column keeps its rate of missing values; in a categorical column
///   missing is one more category, drawn with its frequency.
///
/// Under the *statistics* privacy capability, see `fitPrivately`. Numeric ranges and category
/// levels are public metadata.
public struct GaussianCopulaGenerator: ConditionalGenerator, PersistentGenerator {
    public static let descriptor = PluginDescriptor(
        id: "gaussian_copula",
        name: "Gaussian copula",
        version: "1.2.0",
        kind: .generator,
        summary: "Marginals chosen per column by the KS statistic, joined by the correlation of their normal scores.",
        parameters: [
            .choice("default_distribution", ["best"] + Marginal.Family.allCases.map(\.rawValue), default: "best",
                    help: "The marginal of numeric columns: the best by a held-out KS statistic, or one family for all."),
            .bool("enforce_min_max", default: true, help: "Clip sampled numbers to the observed range of their column."),
            .bool("keep_missing", default: true, help: "Reproduce each column's rate of missing values."),
            .float("correlation_shrinkage", default: 0, min: 0, max: 1,
                   help: "Shrink the correlation of the normal scores toward the identity by this share."),
            .int("bins", default: 32, min: 2, max: 10_000, help: "Under privacy: histogram bins of each numeric marginal (each end of the range a bin of its own)."),
            .int("pair_bins", default: 8, min: 2, max: 64, help: "Under privacy: groups per column in the two-way tables that estimate Kendall's tau."),
            PublicBounds.parameter,
            PublicCategories.parameter,
        ],
        capabilities: [Capability.privacyStatistics],
        samplesConditionally: true,
        savesModels: true)

    private enum ColumnModel {
        case numeric(Marginal, NumericDomain)
        case categorical(FrequencyEncoder)
        /// A numeric column with one value (or none): that value, on the column's domain.
        case constant(Double, NumericDomain)
    }

    /// What a saved model holds: each numeric marginal as the table of values it samples from,
    /// each categorical column's intervals, the missing rates and the correlation's factor.
    struct State: Codable {
        struct Model: Codable {
            var family: Marginal.Family?
            var quantileTable: [Double]?
            var domain: NumericDomain?
            var encoder: FrequencyEncoder?
            var constant: Double?
        }
        var names: [String]
        var models: [Model]
        var missingRates: [Double]
        var cholesky: [Double]
    }

    private let family: String
    private let enforceMinMax: Bool
    private let keepMissing: Bool
    private let shrinkage: Double
    private let bins: Int
    private let pairBins: Int
    /// Under privacy, the public ranges and categories.
    private let metadata: PublicMetadata
    private var models: [ColumnModel] = []
    private var missingRates: [Double] = []
    private var names: [String] = []
    private var cholesky: Matrix<Double>?
    /// The marginal chosen for each numeric column (for the log).
    public private(set) var chosen: [String: String] = [:]

    public init(parameters: Parameters, context: PluginContext) throws {
        family = parameters.string("default_distribution")
        enforceMinMax = parameters.bool("enforce_min_max")
        keepMissing = parameters.bool("keep_missing")
        shrinkage = parameters.float("correlation_shrinkage")
        bins = parameters.int("bins")
        pairBins = parameters.int("pair_bins")
        metadata = try PublicMetadata(parameters)
    }

    public mutating func fit(_ table: Table, context: PluginContext) throws {
        guard table.rowCount > 1 else { throw PluginError.invalidArgument("gaussian_copula needs at least two rows") }
        let table = try metadata.apply(to: table, plugin: "gaussian_copula", context: context)
        if let privacy = context.privacy {
            guard let statistics = privacy.statistics else {
                throw PluginError.unsupported("the composed privacy mechanism does not offer \(Capability.privacyStatistics)")
            }
            return try fitPrivately(table, statistics: statistics, context: context)
        }
        let n = table.rowCount
        var scores: [[Double]] = []
        models = []
        missingRates = []
        names = table.columnNames
        chosen = [:]
        for (index, column) in table.columns.enumerated() {
            try context.checkCancellation()
            missingRates.append(Double(column.missingCount) / Double(n))
            var random = context.random("gaussian_copula.fit.\(index)")
            switch column.kind {
            case .categorical, .boolean:
                let encoder = try FrequencyEncoder(fitting: column)
                models.append(.categorical(encoder))
                scores.append(encoder.forward(column, random: &random)[0].map { normalQuantile($0) })
            default:
                let domain = try NumericDomain(column)
                let present = column.presentNumbers() ?? []
                guard let marginal = try choose(present, random: &random) else {
                    models.append(.constant(present.first ?? 0, domain))
                    scores.append(Array(repeating: 0, count: n))
                    continue
                }
                chosen[column.name] = marginal.family.rawValue
                models.append(.numeric(marginal, domain))
                // Missing cells get the median score, 0: they do not pull the correlation.
                scores.append((0..<n).map { row in column.isMissing(row) ? 0 : marginal.score(domain.number(in: column, row: row)) })
            }
            context.progress(Double(index + 1) / Double(table.columns.count + 1), "marginal of \(column.name)")
        }
        cholesky = try correlationFactor(scores)
        context.log(.info, "gaussian_copula marginals: " + chosen.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        context.progress(1, "correlation")
    }

    /// With the statistics capability (after DPCopula, Li et al. 2014): each marginal from one noisy
    /// histogram (numeric columns over `bins` bins of their public range, `histogramEdges`: each end
    /// value of a grid its own bin, equal widths between; categories
    /// with missing as one more), and each pair's correlation from Kendall's tau of a noisy
    /// `pair_bins` × `pair_bins` table of the columns' marginal positions, ρ = sin(πτ/2). The
    /// budget is split evenly over the d + d(d − 1)/2 queries.
    private mutating func fitPrivately(_ table: Table, statistics: StatisticsPrivacyClient, context: PluginContext) throws {
        let n = table.rowCount, d = table.columns.count
        try statistics.plan(queries: d + d * (d - 1) / 2)
        models = []
        missingRates = []
        names = table.columnNames
        chosen = [:]
        // Each row's position in [0, 1) under its column's noisy marginal (nil when missing).
        var positions: [[Double?]] = []
        for (index, column) in table.columns.enumerated() {
            try context.checkCancellation()
            switch column.kind {
            case .categorical, .boolean:
                let domain = try CategoryDomain(column)
                var counts = [Double](repeating: 0, count: domain.levels.count + 1)
                for code in domain.codes(column) { counts[code] += 1 }
                let noisy = try statistics.histogram(counts, l1Sensitivity: 1)
                // The missing cell's noisy count whether or not the column has missing values (that
                // it has some would be learned from the data).
                let encoder = FrequencyEncoder(domain: domain.withMissing(), counts: noisy)
                models.append(.categorical(encoder))
                missingRates.append(0)
                positions.append(encoder.forward(column)[0].map { $0 })
            default:
                let domain = try NumericDomain(column, bounds: metadata.bounds[column.name])
                var edges = histogramEdges(low: domain.minimum, high: domain.maximum, bins: bins, resolution: domain.resolution, onePerValue: 0)
                if domain.maximum == domain.minimum { edges = (0...bins).map { domain.minimum + Double($0) * 1e-9 } }
                let cells = edges.count - 1
                var counts = [Double](repeating: 0, count: cells + 1)
                let values = domain.numbers(column, fill: 0)
                for row in 0..<n {
                    if column.isMissing(row) { counts[cells] += 1; continue }
                    counts[binIndex(of: values[row], edges: edges)] += 1
                }
                let noisy = try statistics.histogram(counts, l1Sensitivity: 1).map { Swift.max($0, 0) }
                let total = noisy.reduce(0, +)
                missingRates.append(total > 0 ? noisy[cells] / total : 0)
                let marginal = Marginal.histogram(edges: edges, counts: Array(noisy.prefix(cells)))
                chosen[column.name] = "histogram"
                models.append(.numeric(marginal, domain))
                positions.append((0..<n).map { column.isMissing($0) ? nil : marginal.cdf(values[$0]) })
            }
            context.progress(Double(index + 1) / Double(d + 1), "noisy marginal of \(column.name)")
        }
        var correlation = Matrix<Double>.identity(d)
        let g = pairBins
        for a in 0..<d {
            for b in (a + 1)..<d {
                try context.checkCancellation()
                var counts = [Double](repeating: 0, count: g * g)
                for row in 0..<n {
                    guard let u = positions[a][row], let v = positions[b][row] else { continue }
                    counts[Swift.min(g - 1, Int(u * Double(g))) * g + Swift.min(g - 1, Int(v * Double(g)))] += 1
                }
                let noisy = try statistics.histogram(counts, l1Sensitivity: 1).map { Swift.max($0, 0) }
                let rho = Foundation.sin(Double.pi / 2 * Self.kendallTauB(noisy, groups: g))
                correlation[a, b] = rho * (1 - shrinkage)
                correlation[b, a] = rho * (1 - shrinkage)
            }
        }
        cholesky = try factor(of: correlation)
        context.progress(1, "noisy correlation")
    }

    /// Kendall's τ-b of a g × g contingency table (rows: the first variable's groups).
    static func kendallTauB(_ counts: [Double], groups g: Int) -> Double {
        var concordant = 0.0, discordant = 0.0, total = 0.0
        var rowTotals = [Double](repeating: 0, count: g), columnTotals = rowTotals
        for i in 0..<g {
            for j in 0..<g {
                let c = counts[i * g + j]
                total += c
                rowTotals[i] += c
                columnTotals[j] += c
                guard c > 0 else { continue }
                for k in (i + 1)..<g {
                    for l in 0..<g where l != j {
                        if l > j { concordant += c * counts[k * g + l] } else { discordant += c * counts[k * g + l] }
                    }
                }
            }
        }
        let pairs = total * (total - 1) / 2
        let tiesRows = rowTotals.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        let tiesColumns = columnTotals.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        let denominator = ((pairs - tiesRows) * (pairs - tiesColumns)).squareRoot()
        guard denominator > 0 else { return 0 }
        return Swift.max(-1, Swift.min(1, (concordant - discordant) / denominator))
    }

    /// The marginal for a numeric column: the asked family, or the one with the smallest KS
    /// statistic on held-out rows.
    private func choose(_ values: [Double], random: inout Philox) throws -> Marginal? {
        guard Set(values).count > 1 else { return nil }
        if family != "best" {
            let requested = Marginal.Family(rawValue: family)!
            return Marginal.fit(requested, values) ?? Marginal.fit(.empirical, values)
        }
        let order = random.permutation(values.count)
        let half = order.count / 2
        let training = order[..<half].map { values[$0] }
        var testing = order[half...].map { values[$0] }
        if testing.count > 4000 { testing = Array(testing.prefix(4000)) }
        var best: (Marginal.Family, Double)?
        for candidate in Marginal.Family.allCases {
            guard let marginal = Marginal.fit(candidate, training) else { continue }
            let statistic = marginal.ksStatistic(testing)
            if best == nil || statistic < best!.1 { best = (candidate, statistic) }
        }
        return best.flatMap { Marginal.fit($0.0, values) } ?? Marginal.fit(.empirical, values)
    }

    /// The Cholesky factor of the normal scores' correlation, made positive definite.
    private func correlationFactor(_ scores: [[Double]]) throws -> Matrix<Double> {
        let d = scores.count, n = scores.first?.count ?? 0
        var standardized = Matrix<Double>(rows: n, columns: d)
        for j in 0..<d {
            let (mean, sd) = meanAndStandardDeviation(scores[j]) ?? (0, 1)
            let scale = sd > 1e-12 ? 1 / sd : 0
            for i in 0..<n { standardized.storage[i * d + j] = (scores[j][i] - mean) * scale }
        }
        var correlation = standardized.multiplied(by: standardized, transposeSelf: true)
        for i in 0..<(d * d) { correlation.storage[i] /= Double(Swift.max(1, n - 1)) }
        for i in 0..<d {
            for j in 0..<d where i != j { correlation[i, j] *= 1 - shrinkage }
            correlation[i, i] = 1
        }
        return try factor(of: correlation)
    }

    /// The Cholesky factor of a correlation matrix, repaired to be positive definite if needed.
    private func factor(of correlation: Matrix<Double>) throws -> Matrix<Double> {
        if let factor = correlation.cholesky() { return factor }
        // Not positive definite (constant or collinear columns): clip the eigenvalues, then bring
        // the diagonal back to 1.
        guard var repaired = correlation.clippingEigenvalues(below: 1e-6) else {
            throw PluginError.invalidArgument("the correlation matrix has no eigen decomposition")
        }
        let d = correlation.rows
        let diagonal = (0..<d).map { repaired[$0, $0].squareRoot() }
        for i in 0..<d { for j in 0..<d { repaired[i, j] /= diagonal[i] * diagonal[j] } }
        guard let factor = repaired.cholesky() else { throw PluginError.invalidArgument("the correlation matrix could not be repaired") }
        return factor
    }

    public mutating func sample(rows: Int, context: PluginContext) throws -> Table {
        guard let cholesky else { throw PluginError.state("sample() called before fit()") }
        var random = context.random("gaussian_copula.sample")
        var noise = Matrix<Double>(rows: rows, columns: models.count)
        for i in 0..<noise.storage.count { noise.storage[i] = random.nextNormal() }
        return try decode(noise.multiplied(by: cholesky, transposeOther: true), rows: rows, context: context)
    }

    /// Rows given a category: the column's normal score is drawn from the standard normal
    /// truncated to the category's interval, the other scores from their Gaussian distribution
    /// given it, N(R_rc·z_c, R_rr − R_rc·R_cr).
    public mutating func sample(rows: Int, where column: String, equals value: String, context: PluginContext) throws -> Table {
        guard let cholesky else { throw PluginError.state("sample() called before fit()") }
        guard let c = names.firstIndex(of: column) else {
            throw PluginError.invalidArgument("no column '\(column)' (columns: \(names.joined(separator: ", ")))")
        }
        guard case .categorical(let encoder) = models[c] else {
            throw PluginError.invalidArgument("column '\(column)' is not categorical or boolean: only a category can be a condition")
        }
        guard let category = encoder.domain.levels.firstIndex(of: value) else {
            throw PluginError.invalidArgument("column '\(column)' has no category '\(value)' (categories: \(encoder.domain.levels.joined(separator: ", ")))")
        }
        let position = encoder.order.firstIndex(of: category)!
        let low = encoder.bounds[position], high = encoder.bounds[position + 1]
        guard high > low else { throw PluginError.invalidArgument("category '\(value)' of '\(column)' never occurs in the training table") }
        let d = models.count
        let correlation = cholesky.multiplied(by: cholesky, transposeOther: true)
        let others = (0..<d).filter { $0 != c }
        let r = others.map { correlation[$0, c] }
        var conditional = Matrix<Double>(rows: others.count, columns: others.count)
        for (i, a) in others.enumerated() {
            for (j, b) in others.enumerated() { conditional[i, j] = correlation[a, b] - r[i] * r[j] }
            conditional[i, i] += 1e-9
        }
        guard let factor = others.isEmpty ? conditional : conditional.cholesky() ?? conditional.clippingEigenvalues(below: 1e-9)?.cholesky() else {
            throw PluginError.invalidArgument("the conditional covariance could not be factored")
        }
        var random = context.random("gaussian_copula.sample.conditional")
        var z = Matrix<Double>(rows: rows, columns: d)
        var noise = Matrix<Double>(rows: rows, columns: others.count)
        for i in 0..<noise.storage.count { noise.storage[i] = random.nextNormal() }
        let rest = others.isEmpty ? noise : noise.multiplied(by: factor, transposeOther: true)
        for row in 0..<rows {
            let u = low + (high - low) * random.nextOpenUniform()
            let zc = normalQuantile(u)
            z[row, c] = zc
            for (i, column) in others.enumerated() { z[row, column] = r[i] * zc + rest[row, i] }
        }
        var table = try decode(z, rows: rows, context: context)
        // The condition holds exactly, even where a score lands on an interval's edge.
        var columns = table.columns
        columns[c] = encoder.domain.column(Array(repeating: category, count: rows), name: names[c])
        table = try Table(columns: columns)
        return table
    }


    public func saveState(context: PluginContext) throws -> [UInt8] {
        guard let cholesky else { throw PluginError.state("save() called before fit(): there is no model to save") }
        let saved = models.map { model -> State.Model in
            switch model {
            case .numeric(let marginal, let domain):
                State.Model(family: marginal.family, quantileTable: marginal.quantileTable, domain: domain)
            case .categorical(let encoder):
                State.Model(encoder: encoder)
            case .constant(let value, let domain):
                State.Model(domain: domain, constant: value)
            }
        }
        return try CodableState.encode(State(names: names, models: saved, missingRates: missingRates, cholesky: cholesky.storage),
                                       plugin: "gaussian_copula")
    }

    public mutating func loadState(_ bytes: [UInt8], context: PluginContext) throws {
        let state = try CodableState.decode(State.self, from: bytes, plugin: "gaussian_copula")
        let d = state.names.count
        guard state.models.count == d, state.missingRates.count == d, state.cholesky.count == d * d else {
            throw PluginError.invalidArgument("saved gaussian_copula model is inconsistent: \(d) columns, \(state.models.count) models, "
                                              + "\(state.missingRates.count) missing rates, a factor of \(state.cholesky.count) values")
        }
        var restored: [ColumnModel] = []
        for (name, model) in zip(state.names, state.models) {
            if let family = model.family, let table = model.quantileTable, let domain = model.domain, table.count == Marginal.grid.count {
                restored.append(.numeric(Marginal(family: family, quantileTable: table), domain))
            } else if let encoder = model.encoder {
                restored.append(.categorical(encoder))
            } else if let value = model.constant, let domain = model.domain {
                restored.append(.constant(value, domain))
            } else {
                throw PluginError.invalidArgument("saved gaussian_copula model has no usable model of column '\(name)'")
            }
        }
        var factor = Matrix<Double>(rows: d, columns: d)
        factor.storage = state.cholesky
        names = state.names
        models = restored
        missingRates = state.missingRates
        cholesky = factor
        chosen = Dictionary(uniqueKeysWithValues: zip(state.names, state.models).compactMap { name, model in model.family.map { (name, $0.rawValue) } })
    }

    /// Columns from normal scores, one column of `correlated` per table column.
    private func decode(_ correlated: Matrix<Double>, rows: Int, context: PluginContext) throws -> Table {
        let d = models.count
        var columns: [Column] = []
        for (j, model) in models.enumerated() {
            try context.checkCancellation()
            var missingRandom = context.random("gaussian_copula.missing.\(j)")
            let missing = (0..<rows).map { _ in keepMissing && missingRates[j] > 0 && missingRandom.nextUniform() < missingRates[j] }
            let z = (0..<rows).map { correlated.storage[$0 * d + j] }
            switch model {
            case .categorical(let encoder):
                // Missing is one of the categories here, drawn with its frequency (and its correlation).
                let missingCode = encoder.domain.levels.count
                let mostFrequent = encoder.order.first { $0 != missingCode } ?? 0
                let categories = z.map { score -> Int in
                    let category = encoder.category(at: normalCDF(score))
                    return !keepMissing && category == missingCode ? mostFrequent : category
                }
                columns.append(encoder.domain.column(categories, name: names[j]))
            case .numeric(let marginal, let domain):
                columns.append(domain.column(z.map(marginal.value), missing: missing, name: names[j], clip: enforceMinMax))
            case .constant(let value, let domain):
                columns.append(domain.column(Array(repeating: value, count: rows), missing: missing, name: names[j]))
            }
            context.progress(Double(j + 1) / Double(d), "sampled \(names[j])")
        }
        return try Table(columns: columns)
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(GaussianCopulaGenerator.self) }
