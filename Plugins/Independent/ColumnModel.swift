import SynthKit
import SynthMath

/// The fitted marginal of one column.
struct ColumnModel: Codable {
    enum Shape: Codable {
        /// Present values, sorted; drawn by interpolating between order statistics.
        case empirical([Double])
        /// Bin edges (count + 1) and cumulative bin weights; drawn uniformly within a bin.
        case histogram(edges: [Double], cumulative: [Double])
        /// Cumulative weights over category codes (or false/true for booleans).
        case frequencies([Double])
        /// No present value was seen: every cell is missing.
        case nothing
    }

    var shape: Shape
    var missingRate: Double
    /// Numeric columns: the grid drawn values are rounded to (a power of ten, a time unit, 1 for
    /// integers), and the observed range they are clamped to.
    var resolution: Double = 0
    var range: ClosedRange<Double> = 0...0

    static func fit(_ column: Column, bins: Int, histogram: Bool) -> ColumnModel {
        let missingRate = Double(column.missingCount) / Double(column.count)
        switch column.values {
        case .categorical(let codes, let levels):
            var counts = [Double](repeating: 0, count: levels.count)
            for row in codes.indices where !column.isMissing(row) { counts[Int(codes[row])] += 1 }
            return ColumnModel(shape: frequencies(counts), missingRate: missingRate)
        case .boolean(let values):
            var counts = [0.0, 0.0]
            for row in values.indices where !column.isMissing(row) { counts[values[row] ? 1 : 0] += 1 }
            return ColumnModel(shape: frequencies(counts), missingRate: missingRate)
        default:
            let present = (column.presentNumbers() ?? []).sorted()
            guard let low = present.first, let high = present.last else { return ColumnModel(shape: .nothing, missingRate: 1) }
            var model = ColumnModel(shape: .empirical(present), missingRate: missingRate)
            model.resolution = NumericDomain.resolution(kind: column.kind, values: present)
            model.range = low...high
            if histogram {
                let edges = binEdges(low: low, high: high, bins: bins, integral: column.kind != .continuous, resolution: model.resolution)
                var counts = [Double](repeating: 0, count: edges.count - 1)
                for value in present { counts[binIndex(of: value, edges: edges)] += 1 }
                model.shape = .histogram(edges: edges, cumulative: cumulative(counts))
            }
            return model
        }
    }

    /// The same model, from one noisy histogram per column (missing cells are the last cell).
    /// `bounds`: the column's public range (values outside it count in its end bins), or nil to
    /// take the range from the values.
    static func fitPrivately(_ column: Column, bins: Int, bounds: ClosedRange<Double>?, statistics: StatisticsPrivacyClient) throws -> ColumnModel {
        switch column.values {
        case .categorical(let codes, let levels):
            var counts = [Double](repeating: 0, count: levels.count + 1)
            for row in codes.indices { counts[column.isMissing(row) ? levels.count : Int(codes[row])] += 1 }
            let noisy = clean(try statistics.histogram(counts, l1Sensitivity: 1))
            return ColumnModel(shape: frequencies(Array(noisy.dropLast())), missingRate: rate(noisy))
        case .boolean(let values):
            var counts = [0.0, 0.0, 0.0]
            for row in values.indices { counts[column.isMissing(row) ? 2 : (values[row] ? 1 : 0)] += 1 }
            let noisy = clean(try statistics.histogram(counts, l1Sensitivity: 1))
            return ColumnModel(shape: frequencies(Array(noisy.dropLast())), missingRate: rate(noisy))
        default:
            let present = column.presentNumbers() ?? []
            guard let low = bounds?.lowerBound ?? present.min(), let high = bounds?.upperBound ?? present.max(), !present.isEmpty else {
                // Still ask the query, so the budget split does not depend on the data.
                _ = try statistics.histogram([Double(column.count)], l1Sensitivity: 1)
                return ColumnModel(shape: .nothing, missingRate: 1)
            }
            let resolution = NumericDomain.resolution(kind: column.kind, values: present)
            let edges = binEdges(low: low, high: high, bins: bins, integral: column.kind != .continuous, resolution: resolution)
            var counts = [Double](repeating: 0, count: edges.count)
            for value in present { counts[binIndex(of: value, edges: edges)] += 1 }
            counts[edges.count - 1] = Double(column.missingCount)
            let noisy = clean(try statistics.histogram(counts, l1Sensitivity: 1))
            var model = ColumnModel(shape: .histogram(edges: edges, cumulative: cumulative(Array(noisy.dropLast()))),
                                    missingRate: rate(noisy))
            model.resolution = resolution
            model.range = low...high
            return model
        }
    }

    func draw(rows: Int, kind: ColumnKind, levels: [String], missing: [Bool], random: inout Philox) -> ColumnValues {
        switch kind {
        case .categorical:
            var codes = [Int32](repeating: 0, count: rows)
            if case .frequencies(let weights) = shape {
                for row in 0..<rows where !missing[row] { codes[row] = Int32(random.nextIndex(cumulative: weights)) }
            }
            return .categorical(codes: codes, levels: levels)
        case .boolean:
            var values = [Bool](repeating: false, count: rows)
            if case .frequencies(let weights) = shape {
                for row in 0..<rows where !missing[row] { values[row] = random.nextIndex(cumulative: weights) == 1 }
            }
            return .boolean(values)
        case .continuous, .integer, .datetime:
            var numbers = [Double](repeating: 0, count: rows)
            for row in 0..<rows where !missing[row] { numbers[row] = drawNumber(&random) }
            switch kind {
            case .integer: return .integer(numbers.map { Int64($0) })
            case .datetime: return .datetime(numbers.map { Int64($0) })
            default: return .continuous(numbers)
            }
        }
    }

    private func drawNumber(_ random: inout Philox) -> Double {
        let raw: Double
        switch shape {
        case .empirical(let sorted):
            raw = interpolatedQuantile(sorted: sorted, random.nextUniform())
        case .histogram(let edges, let cumulative):
            let bin = random.nextIndex(cumulative: cumulative)
            raw = edges[bin] + (edges[bin + 1] - edges[bin]) * random.nextUniform()
        case .frequencies, .nothing:
            return 0
        }
        return min(max(NumericDomain.onGrid(raw, resolution: resolution), range.lowerBound), range.upperBound)
    }

    // MARK: helpers

    private static func frequencies(_ counts: [Double]) -> Shape {
        let total = counts.reduce(0, +)
        // With nothing to go on (all counts zero after noise), every value is equally likely.
        return .frequencies(cumulative(total > 0 ? counts : counts.map { _ in 1 }))
    }

    private static func cumulative(_ weights: [Double]) -> [Double] {
        let total = weights.reduce(0, +)
        let safe = total > 0 ? weights : weights.map { _ in 1 }
        var running = 0.0
        return safe.map { running += $0; return running }
    }

    /// Noisy counts made usable: no negative counts.
    private static func clean(_ noisy: [Double]) -> [Double] { noisy.map { max($0, 0) } }

    private static func rate(_ cells: [Double]) -> Double {
        let total = cells.reduce(0, +)
        return total > 0 ? (cells.last ?? 0) / total : 0
    }

    /// Columns whose range holds at most this many integer values get one bin per value: the
    /// histogram's sensitivity does not grow with its cells, and equal-width bins would smear
    /// values such as hours per week across their neighbours.
    static let valueBinLimit = 256

    /// The histogram's edges (`histogramEdges`): integral columns with a narrow range get one bin
    /// per representable value, centred on it, so no value outside the support is drawn; a wider
    /// range on a grid gives each end value a bin of its own.
    static func binEdges(low: Double, high: Double, bins: Int, integral: Bool, resolution: Double) -> [Double] {
        histogramEdges(low: low, high: high, bins: bins, resolution: resolution, onePerValue: integral ? max(bins, valueBinLimit) : 0)
    }
}
