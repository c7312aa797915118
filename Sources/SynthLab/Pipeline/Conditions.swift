import SynthKit
import SynthMath

/// Sampling given several categories at once, as in {sex: "Female", income: ">50K"}. A generator
/// samples given one category (the first condition); the host keeps, of the rows it makes under
/// that one, those that meet the others.
public enum ConditionalSampling {
    public typealias Condition = (column: String, value: String)

    /// Batches drawn at most before giving up, and the fewest rows a batch holds.
    public static let rounds = 100
    public static let smallestBatch = 500

    /// `rows` rows that meet every condition. With none or one, one call to `draw` (rows, the
    /// condition or nil, the seed). With more, batches of `rows` rows (at least `smallestBatch`) drawn under the first
    /// condition, the first with `seed` and each later one with a seed derived from it and its
    /// round, so the same call gives the same rows; the rows that meet the others are kept, in
    /// order, until there are enough, for at most `rounds` batches.
    public static func sample(rows: Int, conditions: [Condition], seed: UInt64,
                              draw: (_ rows: Int, _ condition: Condition?, _ seed: UInt64) throws -> Table) throws -> Table {
        guard conditions.count > 1 else { return try draw(rows, conditions.first, seed) }
        var seen = Set<String>()
        for condition in conditions where !seen.insert(condition.column).inserted {
            throw SynthLabError.invalidRequest("where: \(condition.column) has two conditions; give it one")
        }
        let first = conditions[0], others = Array(conditions.dropFirst())
        var kept: Table?
        var drawn = 0
        // Per other condition: how many rows drawn met it, and the categories the rows drawn held.
        var meeting = [Int](repeating: 0, count: others.count)
        var categories = [Set<String>](repeating: [], count: others.count)
        for round in 0..<rounds {
            let batch = try draw(Swift.max(rows, smallestBatch), first, round == 0 ? seed : SplitMix.mix(seed ^ SplitMix.mix(UInt64(round))))
            drawn += batch.rowCount
            var columns: [Column] = []
            for condition in others {
                guard let column = batch.column(named: condition.column) else {
                    throw SynthLabError.invalidRequest("where: the model has no column '\(condition.column)'"
                                                       + Suggest.hint(condition.column, among: batch.columnNames))
                }
                guard column.kind == .categorical || column.kind == .boolean else {
                    throw SynthLabError.invalidRequest("where: column '\(condition.column)' is \(column.kind.rawValue), not categorical or boolean: only a category can be a condition")
                }
                columns.append(column)
            }
            var matches: [Int] = []
            for row in 0..<batch.rowCount {
                var all = true
                for (index, column) in columns.enumerated() {
                    let text = column.text(at: row)
                    if let text, categories[index].count < 50 { categories[index].insert(text) }
                    if text == others[index].value { meeting[index] += 1 } else { all = false }
                }
                if all { matches.append(row) }
            }
            let part = batch.rows(matches)
            kept = try kept.map { table throws(TableError) in try table.appendingRows(of: part) } ?? part
            if let kept, kept.rowCount >= rows { return kept.rows(Array(0..<rows)) }
        }
        let count = kept?.rowCount ?? 0
        let all = conditions.map { "\($0.column) = \($0.value)" }.joined(separator: " and ")
        var message = "made only \(count) of \(rows) rows with \(all) in \(drawn) rows drawn given \(first.column) = \(first.value)"
        message += count == 0 ? "" : " (about 1 in \(drawn / count))"
        for (index, condition) in others.enumerated() where meeting[index] == 0 {
            let held = categories[index].sorted().joined(separator: ", ")
            message += "; none of them had \(condition.column) = \(condition.value)"
                + Suggest.hint(condition.value, among: Array(categories[index])) + " (they had \(held.isEmpty ? "no value" : held))"
        }
        throw SynthLabError.invalidRequest(message + ". Put the rarest condition first: the generator samples given it, and the others are kept from what it makes")
    }

    /// The conditions as provenance writes them: COLUMN=VALUE, joined by ", ".
    public static func describe(_ conditions: [Condition]) -> String? {
        conditions.isEmpty ? nil : conditions.map { "\($0.column)=\($0.value)" }.joined(separator: ", ")
    }
}
