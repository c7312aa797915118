/// A rule every row of a table should keep: an inequality between linear expressions of numeric
/// columns (`dropoff >= pickup`, `total >= fare + tip + tolls`, `2 * age <= 200`), or a functional
/// dependency (`pickup_zone -> pickup_borough`: rows of one zone name one borough).
public struct ConstraintRule: Equatable, Sendable {
    public enum Comparison: String, Sendable, CaseIterable {
        case atLeast = ">=", atMost = "<=", above = ">", below = "<", equal = "==", unequal = "!="
    }

    /// Σ coefficient × column (a nil column is the constant term).
    public struct Expression: Equatable, Sendable {
        public var terms: [(coefficient: Double, column: String?)]

        public static func == (a: Expression, b: Expression) -> Bool {
            a.terms.count == b.terms.count && zip(a.terms, b.terms).allSatisfy { $0.coefficient == $1.coefficient && $0.column == $1.column }
        }
    }

    public enum Form: Equatable, Sendable {
        case compare(Expression, Comparison, Expression)
        case dependency(from: [String], to: String)
    }

    /// The rule as written, trimmed: how results name it.
    public var text: String
    public var form: Form

    /// Whether the rule is a functional dependency (judged by a mapping from a table's rows).
    public var isDependency: Bool {
        if case .dependency = form { true } else { false }
    }

    /// The columns the rule reads, in order of appearance, each once.
    public var columns: [String] {
        var names: [String] = []
        switch form {
        case .compare(let left, _, let right):
            for term in left.terms + right.terms { if let column = term.column, !names.contains(column) { names.append(column) } }
        case .dependency(let from, let to):
            for column in from + [to] where !names.contains(column) { names.append(column) }
        }
        return names
    }

    // MARK: Reading rules

    /// Whether `character` may stand in a column name written without backticks (after its first
    /// character, which is a letter or `_`).
    public static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "."
    }

    /// Whether a rule writes `name` as it is, or must put it between backticks.
    public static func needsBackticks(_ name: String) -> Bool {
        guard let first = name.first, first.isLetter || first == "_" else { return true }
        return !name.allSatisfy(isNameCharacter)
    }

    /// Rules separated by `;`. A column name is letters, digits and `_` (and `.`), starting with a
    /// letter or `_`; any other name (one with `-` or a space) is written between backticks:
    /// `` `capital-gain` >= 0 ``.
    public static func parse(_ text: String) throws(ConstraintError) -> [ConstraintRule] {
        var rules: [ConstraintRule] = []
        for piece in text.split(separator: ";", omittingEmptySubsequences: false) {
            let source = piece.trimmingCharacters(in: .whitespacesAndNewlines)
            if source.isEmpty { continue }
            var reader = RuleReader(source)
            rules.append(ConstraintRule(text: source, form: try reader.rule()))
        }
        return rules
    }

    // MARK: Keeping rules

    /// Whether each row keeps the rule: true or false, or nil when the rule cannot judge the row
    /// (a cell it reads is missing; for a dependency, a key that `mapping` lacks). For a
    /// dependency, `mapping` gives each key's value (the real table's, from `dependencyMapping`).
    public func judge(_ table: Table, mapping: [String: String]? = nil) throws(ConstraintError) -> [Bool?] {
        let columns = try self.columns.map { name throws(ConstraintError) -> Column in
            guard let column = table.column(named: name) else {
                throw ConstraintError("rule '\(text)': no column '\(name)'" + Suggest.hint(name, among: table.columnNames) + Self.backtickHint(name, table))
            }
            return column
        }
        switch form {
        case .compare(let left, let comparison, let right):
            let numbers = try columns.map { column throws(ConstraintError) -> (Int) -> Double? in
                guard let read = Self.numbers(column) else {
                    throw ConstraintError("rule '\(text)': column '\(column.name)' is \(column.kind.rawValue); an inequality compares numbers, datetimes or booleans")
                }
                return read
            }
            let index = Dictionary(uniqueKeysWithValues: self.columns.enumerated().map { ($1, $0) })
            func value(_ expression: Expression, _ row: Int) -> Double? {
                var sum = 0.0
                for term in expression.terms {
                    guard let column = term.column else { sum += term.coefficient; continue }
                    guard let number = numbers[index[column]!](row) else { return nil }
                    sum += term.coefficient * number
                }
                return sum
            }
            return (0..<table.rowCount).map { row in
                guard let a = value(left, row), let b = value(right, row) else { return nil }
                let close = Self.close(a, b)
                switch comparison {
                case .atLeast: return a >= b || close
                case .atMost: return a <= b || close
                case .above: return a > b && !close
                case .below: return a < b && !close
                case .equal: return close
                case .unequal: return !close
                }
            }
        case .dependency:
            let keys = Self.keys(columns.dropLast(), rows: table.rowCount)
            let targets = columns.last!
            let mapping = mapping ?? dependencyMapping(table)
            return (0..<table.rowCount).map { row in
                guard let key = keys[row], let value = targets.text(at: row), let expected = mapping[key] else { return nil }
                return value == expected
            }
        }
    }

    /// Sums of decimals round (10.3 + 2.1 is not 12.4 in binary), so two sides within
    /// `closeness` of their size are equal: close enough for sums of a few terms, and far enough
    /// to tell datetimes a second apart (about 1.7 · 10⁹ s since 1970).
    static let closeness = 1e-12

    /// Whether two sides of a rule count as equal.
    static func close(_ a: Double, _ b: Double) -> Bool {
        Swift.abs(a - b) <= closeness * Swift.max(1, Swift.abs(a), Swift.abs(b))
    }

    /// For a dependency: each key's most frequent value in `table` (the first in sorted order among
    /// equals), over rows whose cells are all present. Empty for an inequality.
    public func dependencyMapping(_ table: Table) -> [String: String] {
        guard case .dependency = form else { return [:] }
        let columns = self.columns.compactMap { table.column(named: $0) }
        guard columns.count == self.columns.count else { return [:] }
        let keys = Self.keys(columns.dropLast(), rows: table.rowCount)
        var counts: [String: [String: Int]] = [:]
        for row in 0..<table.rowCount {
            guard let key = keys[row], let value = columns.last!.text(at: row) else { continue }
            counts[key, default: [:]][value, default: 0] += 1
        }
        return counts.mapValues { values in
            values.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
        }
    }

    /// Each row's key over `columns`: their texts joined, nil when a cell is missing.
    static func keys(_ columns: ArraySlice<Column>, rows: Int) -> [String?] {
        (0..<rows).map { row in
            var parts: [String] = []
            for column in columns {
                guard let text = column.text(at: row) else { return nil }
                parts.append(text)
            }
            return parts.joined(separator: "\u{1F}")
        }
    }

    /// A column's cells as numbers: datetimes in seconds since 1970, booleans as 0 and 1; nil for
    /// a categorical column.
    static func numbers(_ column: Column) -> ((Int) -> Double?)? {
        switch column.values {
        case .continuous(let v): { column.isMissing($0) ? nil : v[$0] }
        case .integer(let v): { column.isMissing($0) ? nil : Double(v[$0]) }
        case .boolean(let v): { column.isMissing($0) ? nil : (v[$0] ? 1 : 0) }
        case .datetime(let v): { column.isMissing($0) ? nil : Double(v[$0]) / 1_000_000 }
        case .categorical: nil
        }
    }

    /// When `name` is the start or end of a column whose name holds a `-` (read as a minus), how
    /// to write that column.
    static func backtickHint(_ name: String, _ table: Table) -> String {
        guard let column = table.columnNames.first(where: { $0.contains("-") && $0.split(separator: "-").contains(Substring(name)) }) else { return "" }
        return "; a name with '-' is written between backticks: `\(column)`"
    }
}

public struct ConstraintError: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Reads one rule: `EXPRESSION COMPARISON EXPRESSION` or `NAME, NAME -> NAME`.
struct RuleReader {
    let characters: [Character]
    let source: String
    var at = 0

    init(_ source: String) {
        self.source = source
        characters = Array(source)
    }

    func fail(_ what: String) -> ConstraintError {
        ConstraintError("rule '\(source)': \(what) at column \(at + 1)")
    }

    mutating func skipBlanks() { while at < characters.count, characters[at].isWhitespace { at += 1 } }

    mutating func rule() throws(ConstraintError) -> ConstraintRule.Form {
        if source.contains("->") {
            var from: [String] = []
            repeat {
                skipBlanks()
                guard let name = try name() else { throw fail("expected a column name") }
                from.append(name)
                skipBlanks()
            } while take(",")
            guard take("->") else { throw fail("expected ',' or '->'") }
            skipBlanks()
            guard let to = try name() else { throw fail("expected a column name after '->'") }
            skipBlanks()
            guard at == characters.count else { throw fail("unexpected '\(characters[at])'") }
            guard !from.contains(to) else { throw fail("'\(to)' is on both sides") }
            return .dependency(from: from, to: to)
        }
        let left = try expression()
        skipBlanks()
        // Two-character comparisons first, so that ">=" is not read as ">".
        guard let comparison = ConstraintRule.Comparison.allCases.sorted(by: { $0.rawValue.count > $1.rawValue.count }).first(where: { take($0.rawValue) }) else {
            throw fail(at == characters.count ? "expected a comparison (>=, <=, >, <, ==, !=) or '->'" : "expected a comparison (>=, <=, >, <, ==, !=), found '\(characters[at])'")
        }
        let right = try expression()
        skipBlanks()
        guard at == characters.count else { throw fail("unexpected '\(characters[at])'") }
        guard (left.terms + right.terms).contains(where: { $0.column != nil }) else { throw ConstraintError("rule '\(source)' names no column") }
        return .compare(left, comparison, right)
    }

    /// Terms joined by + and -, each `NUMBER`, `NAME`, or `NUMBER * NAME`.
    mutating func expression() throws(ConstraintError) -> ConstraintRule.Expression {
        var terms: [(coefficient: Double, column: String?)] = []
        var sign = 1.0
        skipBlanks()
        if take("-") { sign = -1 } else { _ = take("+") }
        while true {
            skipBlanks()
            if let number = number() {
                skipBlanks()
                if take("*") {
                    skipBlanks()
                    guard let name = try name() else { throw fail("expected a column name after '*'") }
                    terms.append((sign * number, name))
                } else {
                    terms.append((sign * number, nil))
                }
            } else if let name = try name() {
                terms.append((sign, name))
            } else {
                throw fail(at == characters.count ? "expected a number or a column name" : "expected a number or a column name, found '\(characters[at])'")
            }
            skipBlanks()
            // A '-' that starts "->" is not a minus; rule() reads dependencies before this.
            if take("+") { sign = 1 } else if at < characters.count, characters[at] == "-" { at += 1; sign = -1 } else { break }
        }
        return ConstraintRule.Expression(terms: terms)
    }

    mutating func take(_ text: String) -> Bool {
        let wanted = Array(text)
        guard at + wanted.count <= characters.count, Array(characters[at..<(at + wanted.count)]) == wanted else { return false }
        at += wanted.count
        return true
    }

    mutating func number() -> Double? {
        var end = at
        while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
        if end < characters.count, characters[end] == "e" || characters[end] == "E" {
            var exponent = end + 1
            if exponent < characters.count, characters[exponent] == "+" || characters[exponent] == "-" { exponent += 1 }
            if exponent < characters.count, characters[exponent].isNumber {
                end = exponent
                while end < characters.count, characters[end].isNumber { end += 1 }
            }
        }
        guard end > at, let value = Double(String(characters[at..<end])), value.isFinite else { return nil }
        at = end
        return value
    }

    mutating func name() throws(ConstraintError) -> String? {
        guard at < characters.count else { return nil }
        if characters[at] == "`" {
            guard let close = characters[(at + 1)...].firstIndex(of: "`") else { throw fail("a '`' is not closed") }
            let name = String(characters[(at + 1)..<close])
            guard !name.isEmpty else { throw fail("an empty name") }
            at = close + 1
            return name
        }
        guard characters[at].isLetter || characters[at] == "_" else { return nil }
        var end = at
        while end < characters.count, ConstraintRule.isNameCharacter(characters[end]) { end += 1 }
        defer { at = end }
        return String(characters[at..<end])
    }
}
