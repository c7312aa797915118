import Foundation
import SynthKit
import SynthMath

/// A Bayesian network over discretized columns, learned greedily as PrivBayes does (Zhang et al.,
/// "PrivBayes: private data release via Bayesian networks", TODS 2017): starting from one column,
/// each step adds the (column, parents) pair with the highest mutual information, the parents being
/// `degree` columns already in the network. Sampling walks the network in that order, drawing each
/// column from its conditional table.
///
/// Every column becomes an attribute: categories (and missing, as one more value) for categorical
/// and boolean columns; for numeric ones, quantile bins (under privacy, bins from the public range
/// and grid alone, `histogramEdges`: each end value its own bin, equal widths between) and a missing
/// value. A sampled numeric bin is turned into a number drawn from the values that fell in it
/// (uniform in the bin under privacy), clipped and rounded to the column's grid.
///
/// With the *statistics* capability (composed with `laplace`, this is PrivBayes with Laplace
/// noise): as the paper does, a share β = 0.3 of the budget goes to learning the structure and
/// the rest to the conditional tables. The structure comes from noisy two-way tables of every pair
/// of attributes (β split evenly across them), each conditional table from a noisy table of the
/// column and its parents ((1 − β) split evenly across the columns). Parents are chosen under the
/// paper's θ-usefulness rule (θ = 4): a conditional table may have at most n·(1 − β)·ε / (θ·d)
/// cells, so that its counts stand above the noise; a small budget gets fewer or coarser parents
/// (none, at worst). Numeric ranges and category levels are public metadata.
public struct BayesianNetworkGenerator: ConditionalGenerator, PersistentGenerator {
    public static let descriptor = PluginDescriptor(
        id: "bayesian_network",
        name: "Bayesian network (PrivBayes structure)",
        version: "1.3.0",
        kind: .generator,
        summary: "A greedy degree-k Bayesian network over discretized columns, sampled in topological order.",
        parameters: [
            .int("degree", default: 2, min: 1, max: 4, help: "The number of parents of each column (k)."),
            .int("bins", default: 20, min: 2, max: 1000, help: "Bins per numeric column."),
            PublicBounds.parameter,
            PublicCategories.parameter,
            .int("structure_rows", default: 20_000, min: 100, max: 10_000_000,
                 help: "Rows (a seeded sample) used to score candidate structures without privacy."),
        ],
        capabilities: [Capability.privacyStatistics],
        samplesConditionally: true,
        savesModels: true)

    struct Attribute: Codable {
        let name: String
        let cardinality: Int
        let categories: CategoryDomain?
        let domain: NumericDomain?
        /// Bin edges for numeric attributes (bins + 1 of them); the last value is missing.
        let edges: [Double]
        /// Sorted present values of each bin (without privacy).
        let binValues: [[Double]]
    }

    struct Factor: Codable {
        let attribute: Int
        let parents: [Int]
        /// P(attribute | parents), one row of `cardinality` probabilities per parent configuration.
        let table: [[Double]]
    }

    private let degree: Int
    private let bins: Int
    private let structureRows: Int
    /// Under privacy, the public ranges and categories.
    private let metadata: PublicMetadata
    private var attributes: [Attribute] = []
    private var factors: [Factor] = []

    public init(parameters: Parameters, context: PluginContext) throws {
        degree = parameters.int("degree")
        bins = parameters.int("bins")
        structureRows = parameters.int("structure_rows")
        metadata = try PublicMetadata(parameters)
    }

    public mutating func fit(_ table: Table, context: PluginContext) throws {
        guard table.rowCount > 0, table.columns.count > 0 else { throw PluginError.invalidArgument("cannot fit on an empty table") }
        let statistics = context.privacy?.statistics
        if context.privacy != nil, statistics == nil {
            throw PluginError.unsupported("the composed privacy mechanism does not offer \(Capability.privacyStatistics)")
        }
        let private_ = statistics != nil
        let table = try metadata.apply(to: table, plugin: "bayesian_network", context: context)
        attributes = try table.columns.map { try Self.attribute($0, bins: bins, equalWidth: private_, bounds: metadata.bounds[$0.name]) }
        let codes = zip(attributes, table.columns).map { Self.codes($0, $1) }
        let d = attributes.count
        let k = Swift.min(degree, Swift.max(0, d - 1))
        context.progress(0.1, "discretized \(d) columns")

        if let statistics, let privacy = context.privacy {
            // PrivBayes' split: β of the budget for the structure (the pair tables), the rest for
            // the conditional tables.
            let beta = 0.3, theta = 4.0
            let pairs = d * (d - 1) / 2
            var weights = [Double](repeating: beta / Double(Swift.max(pairs, 1)), count: pairs)
            weights += [Double](repeating: (pairs > 0 ? 1 - beta : 1) / Double(d), count: d)
            do {
                try statistics.plan(weights: weights)
            } catch PluginError.unsupported {
                context.log(.warning, "bayesian_network: the privacy plugin splits its budget only evenly; the structure gets \(pairs) of \(pairs + d) shares")
                try statistics.plan(queries: pairs + d)
            }
            let epsilon = privacy.budget.epsilon
            let maxCells = Double(table.rowCount) * (pairs > 0 ? 1 - beta : 1) * epsilon / (theta * Double(d))
            var pairMI = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            for a in 0..<d {
                for b in (a + 1)..<d {
                    try context.checkCancellation()
                    let counts = Self.jointCounts(codes, [a, b], attributes, rows: nil)
                    let noisy = try statistics.histogram(counts, l1Sensitivity: 1).map { Swift.max($0, 0) }
                    let mi = Self.mutualInformation(noisy, childCardinality: attributes[b].cardinality)
                    pairMI[a][b] = mi
                    pairMI[b][a] = mi
                }
            }
            let cardinalities = attributes.map(\.cardinality)
            let order = Self.greedyStructure(d: d, k: k, allowed: { child, parents in
                Double(parents.reduce(cardinalities[child]) { $0 * cardinalities[$1] }) <= maxCells
            }) { child, parents in parents.reduce(0) { $0 + pairMI[child][$1] } }
            context.log(.info, "bayesian_network: θ-usefulness allows conditional tables of at most \(Int(maxCells)) cells")
            factors = try order.map { child, parents in
                let counts = Self.jointCounts(codes, parents + [child], attributes, rows: nil)
                let noisy = try statistics.histogram(counts, l1Sensitivity: 1).map { Swift.max($0, 0) }
                return Self.factor(child, parents, counts: noisy, attributes)
            }
        } else {
            var random = context.random("bayesian_network.structure")
            var rows: [Int]? = nil
            if table.rowCount > structureRows {
                rows = Array(random.permutation(table.rowCount).prefix(structureRows))
            }
            let attributes = self.attributes
            let order = Self.greedyStructure(d: d, k: k) { child, parents in
                let counts = Self.jointCounts(codes, parents + [child], attributes, rows: rows)
                return Self.mutualInformation(counts, childCardinality: attributes[child].cardinality)
            }
            factors = order.map { child, parents in
                Self.factor(child, parents, counts: Self.jointCounts(codes, parents + [child], attributes, rows: nil), attributes)
            }
        }
        context.log(.info, "bayesian_network: " + factors.map { factor in
            "\(attributes[factor.attribute].name) <- [\(factor.parents.map { attributes[$0].name }.joined(separator: ", "))]"
        }.joined(separator: "; "))
        context.progress(1, "network of \(d) columns")
    }

    /// The greedy order: the first column, then repeatedly the (column, parents) with the best
    /// score, parents being min(k, placed) columns already placed. With `allowed`, only parent sets
    /// it accepts are considered, of any size up to that (the empty set always is).
    static func greedyStructure(d: Int, k: Int, allowed: ((Int, [Int]) -> Bool)? = nil,
                                score: (Int, [Int]) -> Double) -> [(Int, [Int])] {
        // Start from the column whose best single parent scores highest (deterministic).
        var placed: [Int] = [0]
        var best0 = -1.0
        for candidate in 0..<d {
            let s = (0..<d).filter { $0 != candidate }.map { score(candidate, [$0]) }.max() ?? 0
            if s > best0 { best0 = s; placed = [candidate] }
        }
        var order: [(Int, [Int])] = [(placed[0], [])]
        while placed.count < d {
            var best: (Int, [Int], Double)?
            let size = Swift.min(k, placed.count)
            for child in 0..<d where !placed.contains(child) {
                let candidates: [[Int]]
                if let allowed {
                    candidates = (0...size).flatMap { combinations(placed, $0) }.filter { $0.isEmpty || allowed(child, $0) }
                } else {
                    candidates = combinations(placed, size)
                }
                for parents in candidates {
                    let s = score(child, parents)
                    if best == nil || s > best!.2 { best = (child, parents, s) }
                }
            }
            placed.append(best!.0)
            order.append((best!.0, best!.1))
        }
        return order
    }

    static func combinations(_ items: [Int], _ size: Int) -> [[Int]] {
        if size == 0 { return [[]] }
        if items.count < size { return [] }
        if items.count == size { return [items] }
        let first = items[0], rest = Array(items.dropFirst())
        return combinations(rest, size - 1).map { [first] + $0 } + combinations(rest, size)
    }

    /// `bounds`: under privacy (`equalWidth`), the column's public range instead of its values'.
    static func attribute(_ column: Column, bins: Int, equalWidth: Bool, bounds: ClosedRange<Double>? = nil) throws -> Attribute {
        switch column.kind {
        case .categorical, .boolean:
            let domain = try CategoryDomain(column)
            return Attribute(name: column.name, cardinality: domain.levels.count + 1, categories: domain, domain: nil,
                             edges: [], binValues: [])
        default:
            let domain = try NumericDomain(column, bounds: equalWidth ? bounds : nil)
            let present = (column.presentNumbers() ?? []).sorted()
            var edges: [Double]
            var distinct: [Double] = []
            for value in present where value != distinct.last { distinct.append(value) }
            // The range the private bins cut: the public bounds, or the values' own.
            let low = domain.minimum, high = domain.maximum
            if present.isEmpty {
                edges = [0, 1]
            } else if !equalWidth, distinct.count <= Swift.max(bins, 100) {
                // Few distinct values: one bin each.
                edges = distinct + [distinct.last! + Swift.max(domain.resolution, 1e-9)]
            } else if equalWidth, domain.resolution > 0 {
                // Bins from the (public) range and grid alone: one per grid value when there are no
                // more values than bins, else each end value a bin of its own, equal widths between.
                // (Not widths in equal ratios: they spread a skewed column's rows over more cells of
                // the noisy conditional tables; on adult at ε = 1 they cost 0.005 of quality.)
                edges = histogramEdges(low: low, high: high, bins: bins, resolution: domain.resolution, onePerValue: bins, geometric: false)
            } else if equalWidth || present.first == present.last {
                let top = Swift.max(high, low + 1e-9)
                edges = (0...bins).map { low + (top - low) * Double($0) / Double(bins) }
            } else {
                // Quantile edges, repeated values merged: a point mass gets a bin of its own.
                edges = [present.first!]
                for b in 1..<bins {
                    let q = present[Swift.min(present.count - 1, b * present.count / bins)]
                    if q > edges.last! { edges.append(q) }
                }
                edges.append(present.last!)
                if edges.count == 1 { edges.append(edges[0] + 1e-9) }
            }
            var binValues = [[Double]](repeating: [], count: edges.count - 1)
            if !equalWidth { for value in present { binValues[binIndex(of: value, edges: edges)].append(value) } }
            return Attribute(name: column.name, cardinality: edges.count, categories: nil, domain: domain,
                             edges: edges, binValues: binValues)
        }
    }

    /// Each row's value of an attribute in its column (missing is the last value).
    static func codes(_ attribute: Attribute, _ column: Column) -> [Int] {
        if let categories = attribute.categories { return categories.codes(column) }
        let values = attribute.domain!.numbers(column, fill: 0)
        return (0..<column.count).map { column.isMissing($0) ? attribute.cardinality - 1 : binIndex(of: values[$0], edges: attribute.edges) }
    }

    /// Counts of every combination of the attributes' values (the last attribute varies fastest).
    static func jointCounts(_ codes: [[Int]], _ members: [Int], _ attributes: [Attribute], rows: [Int]?) -> [Double] {
        let size = members.reduce(1) { $0 * attributes[$1].cardinality }
        var counts = [Double](repeating: 0, count: size)
        func add(_ row: Int) {
            var index = 0
            for member in members { index = index * attributes[member].cardinality + codes[member][row] }
            counts[index] += 1
        }
        if let rows { for row in rows { add(row) } } else { for row in 0..<codes[0].count { add(row) } }
        return counts
    }

    /// I(child; parents) from a joint table whose last dimension is the child.
    static func mutualInformation(_ counts: [Double], childCardinality c: Int) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let configurations = counts.count / c
        var childMarginal = [Double](repeating: 0, count: c)
        var parentMarginal = [Double](repeating: 0, count: configurations)
        for p in 0..<configurations {
            for x in 0..<c {
                let n = counts[p * c + x]
                childMarginal[x] += n
                parentMarginal[p] += n
            }
        }
        var mi = 0.0
        for p in 0..<configurations where parentMarginal[p] > 0 {
            for x in 0..<c {
                let n = counts[p * c + x]
                if n > 0 { mi += n / total * Foundation.log(n * total / (parentMarginal[p] * childMarginal[x])) }
            }
        }
        return mi
    }

    /// P(child | parents) with a little smoothing; an empty parent configuration falls back on the
    /// child's marginal.
    static func factor(_ child: Int, _ parents: [Int], counts: [Double], _ attributes: [Attribute]) -> Factor {
        let c = attributes[child].cardinality
        let configurations = counts.count / c
        var marginal = [Double](repeating: 0, count: c)
        for p in 0..<configurations { for x in 0..<c { marginal[x] += counts[p * c + x] } }
        let marginalTotal = marginal.reduce(0, +)
        let fallback = marginalTotal > 0 ? marginal.map { $0 / marginalTotal } : Array(repeating: 1 / Double(c), count: c)
        let table = (0..<configurations).map { p -> [Double] in
            let row = (0..<c).map { counts[p * c + $0] }
            let total = row.reduce(0, +)
            return total > 0 ? row.map { $0 / total } : fallback
        }
        return Factor(attribute: child, parents: parents, table: table)
    }

    /// What a saved model holds: the attributes (categories, or a numeric column's bins and, without
    /// privacy, the values in each bin) and the network's conditional tables.
    struct State: Codable {
        var attributes: [Attribute]
        var factors: [Factor]
    }

    public func saveState(context: PluginContext) throws -> [UInt8] {
        guard !factors.isEmpty else { throw PluginError.state("save() called before fit(): there is no model to save") }
        return try CodableState.encode(State(attributes: attributes, factors: factors), plugin: "bayesian_network")
    }

    public mutating func loadState(_ bytes: [UInt8], context: PluginContext) throws {
        let state = try CodableState.decode(State.self, from: bytes, plugin: "bayesian_network")
        let d = state.attributes.count
        for factor in state.factors {
            let members = [factor.attribute] + factor.parents
            guard members.allSatisfy({ (0..<d).contains($0) }),
                  factor.table.count == factor.parents.reduce(1, { $0 * state.attributes[$1].cardinality }),
                  factor.table.allSatisfy({ $0.count == state.attributes[factor.attribute].cardinality }) else {
                throw PluginError.invalidArgument("saved bayesian_network model has a conditional table that does not fit its attributes")
            }
        }
        guard Set(state.factors.map(\.attribute)) == Set(0..<d), !state.factors.isEmpty else {
            throw PluginError.invalidArgument("saved bayesian_network model does not give every column a conditional table")
        }
        attributes = state.attributes
        factors = state.factors
    }

    public mutating func sample(rows: Int, context: PluginContext) throws -> Table {
        guard !factors.isEmpty else { throw PluginError.state("sample() called before fit()") }
        var random = context.random("bayesian_network.sample")
        return try decode(try draw(rows: rows, random: &random, context: context), context: context)
    }

    /// Rows given a category, by rejection: network samples are drawn in batches and the ones with
    /// the category kept, which is exact whatever the column's place in the network.
    public mutating func sample(rows: Int, where column: String, equals value: String, context: PluginContext) throws -> Table {
        guard !factors.isEmpty else { throw PluginError.state("sample() called before fit()") }
        guard let index = attributes.firstIndex(where: { $0.name == column }) else {
            throw PluginError.invalidArgument("no column '\(column)' (columns: \(attributes.map(\.name).joined(separator: ", ")))")
        }
        guard let categories = attributes[index].categories else {
            throw PluginError.invalidArgument("column '\(column)' is not categorical or boolean: only a category can be a condition")
        }
        guard let code = categories.levels.firstIndex(of: value) else {
            throw PluginError.invalidArgument("column '\(column)' has no category '\(value)' (categories: \(categories.levels.joined(separator: ", ")))")
        }
        var random = context.random("bayesian_network.sample.conditional")
        var kept = [[Int]](repeating: [], count: attributes.count)
        var drawn = 0
        while kept[index].count < rows {
            let batch = Swift.max(1000, 2 * (rows - kept[index].count))
            guard drawn < Swift.max(10_000_000, 1000 * rows) else {
                throw PluginError.invalidArgument("'\(column)' = '\(value)' is too rare in the network to sample by rejection (\(kept[index].count) of \(drawn) draws)")
            }
            let values = try draw(rows: batch, random: &random, context: context)
            drawn += batch
            for row in 0..<batch where values[index][row] == code && kept[index].count < rows {
                for a in 0..<attributes.count { kept[a].append(values[a][row]) }
            }
        }
        return try decode(kept, context: context)
    }

    /// Attribute values of `rows` rows, walking the network in order.
    private func draw(rows: Int, random: inout Philox, context: PluginContext) throws -> [[Int]] {
        var values = [[Int]](repeating: [], count: attributes.count)
        for (step, factor) in factors.enumerated() {
            try context.checkCancellation()
            let cumulativeTables = factor.table.map { row -> [Double] in
                var sum = 0.0
                return row.map { sum += $0; return sum }
            }
            values[factor.attribute] = (0..<rows).map { row in
                var configuration = 0
                for parent in factor.parents { configuration = configuration * attributes[parent].cardinality + values[parent][row] }
                return random.nextIndex(cumulative: cumulativeTables[configuration])
            }
            context.progress(Double(step + 1) / Double(factors.count), "sampled \(attributes[factor.attribute].name)")
        }
        return values
    }

    /// Columns from attribute values.
    private func decode(_ values: [[Int]], context: PluginContext) throws -> Table {
        var decode = context.random("bayesian_network.decode")
        let columns = attributes.enumerated().map { index, attribute -> Column in
            let codes = values[index]
            if let categories = attribute.categories { return categories.column(codes, name: attribute.name) }
            let missing = codes.map { $0 == attribute.cardinality - 1 }
            let numbers = codes.map { code -> Double in
                guard code < attribute.cardinality - 1 else { return attribute.domain!.minimum }
                let inBin = attribute.binValues.isEmpty ? [] : attribute.binValues[code]
                if !inBin.isEmpty { return inBin[decode.nextInt(below: inBin.count)] }
                let low = attribute.edges[code], high = attribute.edges[code + 1]
                return low + (high - low) * decode.nextUniform()
            }
            return attribute.domain!.column(numbers, missing: missing, name: attribute.name)
        }
        return try Table(columns: columns)
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(BayesianNetworkGenerator.self) }
