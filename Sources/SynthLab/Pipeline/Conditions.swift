import SynthKit
import SynthMath

/// Sampling given several categories at once, as in {sex: "Female", income: ">50K"}, and keeping
/// rules (`dropoff >= pickup`). A generator samples given one category (the first condition); the
/// host keeps, of the rows it makes under that one, those that meet the others and keep the rules.
public enum ConditionalSampling {
    public typealias Condition = (column: String, value: String)

    /// Batches drawn at most before giving up, and the fewest rows a batch holds.
    public static let rounds = 100
    public static let smallestBatch = 500

    /// `rows` rows that meet every condition and keep every rule. With no rule and at most one
    /// condition, one call to `draw` (rows, the condition or nil, the seed). Otherwise batches of
    /// `rows` rows (at least `smallestBatch`) drawn under the first condition (or none), the
    /// first with `seed` and each later one with a seed derived from it and its round, so the same
    /// call gives the same rows; the rows that meet the other conditions and that no rule finds
    /// broken (a rule cannot judge a row with a missing cell it reads) are kept, in order, until
    /// there are enough, for at most `rounds` batches. A rule is an inequality: a dependency needs
    /// the real table's mapping, which a model does not hold.
    public static func sample(rows: Int, conditions: [Condition], rules: [ConstraintRule] = [], seed: UInt64,
                              draw: (_ rows: Int, _ condition: Condition?, _ seed: UInt64) throws -> Table) throws -> Table {
        guard conditions.count > 1 || !rules.isEmpty else { return try draw(rows, conditions.first, seed) }
        var seen = Set<String>()
        for condition in conditions where !seen.insert(condition.column).inserted {
            throw SynthLabError.invalidRequest("where: \(condition.column) has two conditions; give it one")
        }
        if let rule = rules.first(where: \.isDependency) { throw refusal(dependency: rule, option: "keep") }
        let first = conditions.first, others = Array(conditions.dropFirst())
        var kept: Table?
        var drawn = 0
        // Per other condition: how many rows drawn met it, and the categories the rows drawn held;
        // per rule, how many it found broken.
        var meeting = [Int](repeating: 0, count: others.count)
        var categories = [Set<String>](repeating: [], count: others.count)
        var broken = [Int](repeating: 0, count: rules.count)
        for round in 0..<rounds {
            let batch = try draw(Swift.max(rows, smallestBatch), first, round == 0 ? seed : SplitMix.mix(seed ^ SplitMix.mix(UInt64(round))))
            drawn += batch.rowCount
            var columns: [Column] = []
            for condition in others {
                guard let column = batch.column(named: condition.column) else {
                    throw SynthLabError.invalidRequest("where: the model has no column '\(condition.column)'"
                                                       + Suggest.hint(condition.column, among: batch.columnNames))
                }
                guard column.kind == .categorical || column.kind == .boolean || column.kind == .integer else {
                    throw SynthLabError.invalidRequest("where: column '\(condition.column)' is \(column.kind.rawValue): only a category, or a value of an integer column, can be a condition")
                }
                columns.append(column)
            }
            let judged: [[Bool?]]
            do { judged = try rules.map { rule throws(ConstraintError) in try rule.judge(batch) } } catch {
                throw SynthLabError.invalidRequest("keep: " + error.description)
            }
            var matches: [Int] = []
            for row in 0..<batch.rowCount {
                var all = true
                for (index, column) in columns.enumerated() {
                    let text = column.text(at: row)
                    if let text, categories[index].count < 50 { categories[index].insert(text) }
                    if text == others[index].value { meeting[index] += 1 } else { all = false }
                }
                for (index, verdicts) in judged.enumerated() where verdicts[row] == false {
                    broken[index] += 1
                    all = false
                }
                if all { matches.append(row) }
            }
            let part = batch.rows(matches)
            kept = try kept.map { table throws(TableError) in try table.appendingRows(of: part) } ?? part
            if let kept, kept.rowCount >= rows { return kept.rows(Array(0..<rows)) }
        }
        let count = kept?.rowCount ?? 0
        let wanted = (conditions.map { "\($0.column) = \($0.value)" } + rules.map { "keep \($0.text)" }).joined(separator: " and ")
        var message = "made only \(count) of \(rows) rows with \(wanted) in \(drawn) rows drawn"
            + (first.map { " given \($0.column) = \($0.value)" } ?? "")
        message += count == 0 ? "" : " (about 1 in \(drawn / count))"
        for (index, condition) in others.enumerated() where meeting[index] == 0 {
            let held = categories[index].sorted().joined(separator: ", ")
            message += "; none of them had \(condition.column) = \(condition.value)"
                + Suggest.hint(condition.value, among: Array(categories[index])) + " (they had \(held.isEmpty ? "no value" : held))"
        }
        for (index, rule) in rules.enumerated() where broken[index] > 0 {
            message += "; \(String(format: "%.1f", 100 * Double(broken[index]) / Double(Swift.max(drawn, 1)))) % of them broke \(rule.text)"
        }
        throw SynthLabError.invalidRequest(message + (others.isEmpty ? "" : ". Put the rarest condition first: the generator samples given it, and the others are kept from what it makes"))
    }

    /// Refuses, before any fit or draw, a rule that `sample` could not keep: a dependency, or one
    /// that reads a column the table lacks.
    /// With `dependencies`, a dependency passes (a fit that learns rules can keep one).
    public static func check(_ rules: [ConstraintRule], columns: [String], option: String = "keep", dependencies: Bool = false) throws(SynthLabError) {
        for rule in rules {
            if rule.isDependency, !dependencies { throw refusal(dependency: rule, option: option) }
            for column in rule.columns where !columns.contains(column) {
                throw SynthLabError.invalidRequest("\(option): rule '\(rule.text)': no column '\(column)'" + Suggest.hint(column, among: columns))
            }
        }
    }

    /// Why `option` cannot keep a dependency.
    static func refusal(dependency rule: ConstraintRule, option: String) -> SynthLabError {
        .invalidRequest("\(option): '\(rule.text)' is a dependency, which is judged by the real table's mapping: a model keeps one "
                        + "only by learning that mapping when it is fitted (fit(keep:), experiment(keep:), synth --keep)")
    }

    /// Rules written as `keep:` takes them (joined by "; ", as a trial spec or a model worker's
    /// request carries them); none for nil.
    public static func rules(_ text: String?) throws(SynthLabError) -> [ConstraintRule] {
        guard let text else { return [] }
        do { return try ConstraintRule.parse(text) } catch { throw .invalidRequest("keep: " + error.description) }
    }

    /// The rules of `extra` that `kept` (a model's) does not hold already.
    public static func notKept(_ extra: [ConstraintRule], by kept: [ConstraintRule]) -> [ConstraintRule] {
        extra.filter { rule in !kept.contains { $0.text == rule.text } }
    }

    /// The rules of `rules` that sampling judges: the inequalities (a model keeps a dependency by
    /// the mapping it learned when fitted).
    public static func judged(_ rules: [ConstraintRule]) -> [ConstraintRule] {
        rules.filter { !$0.isDependency }
    }

    /// The conditions as provenance writes them: COLUMN=VALUE, joined by ", ".
    public static func describe(_ conditions: [Condition]) -> String? {
        conditions.isEmpty ? nil : conditions.map { "\($0.column)=\($0.value)" }.joined(separator: ", ")
    }

    /// The rules as provenance writes them: as given, joined by "; ".
    public static func describe(_ rules: [ConstraintRule]) -> String? {
        rules.isEmpty ? nil : rules.map(\.text).joined(separator: "; ")
    }
}
