import Foundation
import SynthKit
import SynthMath

/// Puts records of tables with the same columns into one Euclidean space, learned from a
/// reference (the real training) table: each numeric column scaled by the reference's range to
/// [0, 1] (missing: 0, plus a flag column that is 1), each categorical or boolean column one-hot
/// with weight 1/√2, so two different categories are at distance 1, like the two ends of a range.
public struct RecordEncoder: Sendable {
    enum Part: Sendable {
        case number(name: String, low: Double, span: Double)
        case category(name: String, index: [String?: Int])
    }
    let parts: [Part]
    public let width: Int

    public init(reference: Table) {
        var parts: [Part] = []
        var width = 0
        for column in reference.columns {
            if ColumnShape(column.kind) == .continuous, let present = column.presentNumbers() {
                let low = present.min() ?? 0, high = present.max() ?? 0
                parts.append(.number(name: column.name, low: low, span: high > low ? high - low : 1))
                width += 2
            } else {
                var index: [String?: Int] = [:]
                for row in 0..<column.count where index[column.text(at: row)] == nil {
                    index[column.text(at: row)] = index.count
                }
                parts.append(.category(name: column.name, index: index))
                width += index.count
            }
        }
        self.parts = parts
        self.width = width
    }

    /// Row-major coordinates, `width` a row. A category the reference never saw is all zeros
    /// (distance 1/√2 from every reference category).
    public func encode(_ table: Table) throws -> [Float] {
        let n = table.rowCount
        var out = [Float](repeating: 0, count: n * width)
        var offset = 0
        let weight = Float(0.5.squareRoot())
        for part in parts {
            switch part {
            case .number(let name, let low, let span):
                guard let column = table.column(named: name), let values = numbersWithMissing(column) else {
                    throw MetricsError.missingColumn(name)
                }
                for row in 0..<n {
                    if values[row].isNaN { out[row * width + offset + 1] = 1 } else {
                        out[row * width + offset] = Float((values[row] - low) / span)
                    }
                }
                offset += 2
            case .category(let name, let index):
                guard let column = table.column(named: name) else { throw MetricsError.missingColumn(name) }
                for row in 0..<n {
                    if let position = index[column.text(at: row)] { out[row * width + offset + position] = weight }
                }
                offset += index.count
            }
        }
        return out
    }
}

/// For every query record, the distances to its nearest and second-nearest reference records.
/// Squared distances come blockwise from one matrix product, ‖q‖² + ‖r‖² − 2 q·r (single-precision
/// BLAS), which ranks the candidates; the two winners' distances are then recomputed exactly in
/// double precision.
public func nearestNeighbourDistances(queries: [Float], references: [Float], width d: Int,
                                      cancelled: () throws -> Void = {}) rethrows -> (nearest: [Double], second: [Double]) {
    let q = d == 0 ? 0 : queries.count / d, r = d == 0 ? 0 : references.count / d
    var nearest = [Double](repeating: .infinity, count: q), second = nearest
    guard q > 0, r > 0 else { return (nearest, second) }
    func norms(_ x: [Float], _ n: Int) -> [Float] {
        (0..<n).map { row in
            var total: Float = 0
            for j in 0..<d { total += x[row * d + j] * x[row * d + j] }
            return total
        }
    }
    let queryNorms = norms(queries, q), referenceNorms = norms(references, r)
    let queryBlock = 512, referenceBlock = 4096
    var products = [Float](repeating: 0, count: queryBlock * referenceBlock)
    var bestIndex = [Int](repeating: -1, count: q), secondIndex = [Int](repeating: -1, count: q)
    var bestValue = [Float](repeating: .infinity, count: q), secondValue = bestValue
    for qStart in stride(from: 0, to: q, by: queryBlock) {
        try cancelled()
        let qCount = min(queryBlock, q - qStart)
        for rStart in stride(from: 0, to: r, by: referenceBlock) {
            let rCount = min(referenceBlock, r - rStart)
            queries.withUnsafeBufferPointer { qp in
                references.withUnsafeBufferPointer { rp in
                    products.withUnsafeMutableBufferPointer { pp in
                        Float.gemm(false, true, qCount, rCount, d, 1, qp.baseAddress! + qStart * d, d,
                                   rp.baseAddress! + rStart * d, d, 0, pp.baseAddress!, rCount)
                    }
                }
            }
            products.withUnsafeBufferPointer { pp in
                for i in 0..<qCount {
                    let query = qStart + i
                    let base = queryNorms[query]
                    var b1 = bestValue[query], b2 = secondValue[query]
                    var i1 = bestIndex[query], i2 = secondIndex[query]
                    for j in 0..<rCount {
                        let value = base + referenceNorms[rStart + j] - 2 * pp[i * rCount + j]
                        if value < b2 {
                            if value < b1 { (b2, i2, b1, i1) = (b1, i1, value, rStart + j) } else { (b2, i2) = (value, rStart + j) }
                        }
                    }
                    bestValue[query] = b1; secondValue[query] = b2
                    bestIndex[query] = i1; secondIndex[query] = i2
                }
            }
        }
    }
    func exact(_ query: Int, _ reference: Int) -> Double {
        guard reference >= 0 else { return .infinity }
        var total = 0.0
        for j in 0..<d {
            let difference = Double(queries[query * d + j]) - Double(references[reference * d + j])
            total += difference * difference
        }
        return total.squareRoot()
    }
    for query in 0..<q {
        let a = exact(query, bestIndex[query]), b = exact(query, secondIndex[query])
        (nearest[query], second[query]) = a <= b ? (a, b) : (b, a)
    }
    return (nearest, second)
}

/// The exact copies: for each row of `queries`, whether some row of `references` has the very same
/// cells (missing matching missing), comparing the columns of `references` by name.
public func exactCopies(of queries: Table, in references: Table) throws -> [Bool] {
    let (queryKeys, referenceKeys) = try rowKeys(queries, references)
    let known = Set(referenceKeys)
    return queryKeys!.map { known.contains($0) }
}

/// The share of a table's rows that have the very same cells as another of its rows (missing
/// matching missing): how often rows repeat by themselves, before any split.
public func repeatedRowShare(_ table: Table) -> Double {
    guard table.rowCount > 0, let (_, keys) = try? rowKeys(nil, table) else { return 0 }
    return repeatedShare(keys)
}

private func repeatedShare(_ keys: [[UInt64]]) -> Double {
    var counts: [[UInt64]: Int] = [:]
    for key in keys { counts[key, default: 0] += 1 }
    return Double(keys.filter { counts[$0]! > 1 }.count) / Double(keys.count)
}

/// How many of a holdout's rows are rows of the real table too.
public struct RowOverlap: Sendable, Equatable {
    public var shared: Int
    public var rows: Int
    public var percent: String { String(format: "%.0f", Double(shared) / Double(rows) * 100) }

    /// The overlap when it says the holdout is not held out: half or more of its rows are rows of
    /// `real`, and more than twice the share of `real`'s rows that repeat within it (the table
    /// itself given as the holdout, or a split of it by another seed or share); nil otherwise.
    public static func suspicious(holdout: Table, real: Table) -> RowOverlap? {
        // The real table's keys serve both the overlap and its own repeats.
        guard holdout.rowCount > 0, real.rowCount > 0, let (holdoutKeys, realKeys) = try? rowKeys(holdout, real) else { return nil }
        let known = Set(realKeys)
        let overlap = RowOverlap(shared: holdoutKeys!.filter { known.contains($0) }.count, rows: holdout.rowCount)
        let share = Double(overlap.shared) / Double(overlap.rows)
        return share >= 0.5 && share > 2 * repeatedShare(realKeys) ? overlap : nil
    }
}

/// One key per row of each table, equal where the rows' cells are, over the columns of `references`;
/// without `queries`, the references' keys alone.
private func rowKeys(_ queries: Table?, _ references: Table) throws -> (queries: [[UInt64]]?, references: [[UInt64]]) {
    var referenceKeys = [[UInt64]](repeating: [], count: references.rowCount)
    var queryKeys = [[UInt64]](repeating: [], count: queries?.rowCount ?? 0)
    for column in references.columns {
        // Keyed against itself when there are no queries: the same keys, and none kept for them.
        var other = column
        if let queries {
            guard let found = queries.column(named: column.name) else { throw MetricsError.missingColumn(column.name) }
            other = found
        }
        if ColumnShape(column.kind) == .continuous, let a = numbersWithMissing(column), let b = numbersWithMissing(other) {
            func key(_ value: Double) -> UInt64 { value.isNaN ? UInt64.max : (value == 0 ? 0 : value.bitPattern) }
            for row in a.indices { referenceKeys[row].append(key(a[row])) }
            if queries != nil { for row in b.indices { queryKeys[row].append(key(b[row])) } }
        } else {
            let shared = SharedCategories(real: column, synthetic: other)
            for row in shared.real.indices { referenceKeys[row].append(UInt64(shared.real[row])) }
            if queries != nil { for row in shared.synthetic.indices { queryKeys[row].append(UInt64(shared.synthetic[row])) } }
        }
    }
    return (queries == nil ? nil : queryKeys, referenceKeys)
}

/// The median of a sample (the mean of the two middle values for an even count); nil when empty.
public func median(_ values: [Double]) -> Double? {
    let sorted = values.filter { !$0.isNaN }.sorted()
    guard !sorted.isEmpty else { return nil }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
