/// A rule a generator learns, so that every row it makes keeps it: an inequality as a gap
/// (`RuleGap`), a functional dependency as a mapping (`RuleMapping`). The host transforms the
/// training table before the generator sees it, and restores each row the generator makes.
public enum LearnedRule: Codable, Sendable, Equatable {
    case gap(RuleGap)
    case mapping(RuleMapping)

    /// The rule as written.
    public var rule: String {
        switch self {
        case .gap(let gap): gap.rule
        case .mapping(let mapping): mapping.rule
        }
    }

    /// The rules it keeps: its own, and for a gap those that bound it.
    public var rules: [String] {
        switch self {
        case .gap(let gap): [gap.rule] + (gap.boundRules ?? [])
        case .mapping(let mapping): [mapping.rule]
        }
    }

    /// The column the transform replaces (a gap) or takes out (a mapping).
    public var column: String {
        switch self {
        case .gap(let gap): gap.column
        case .mapping(let mapping): mapping.column
        }
    }

    /// The rules of `rules` that `table` can learn (`RuleGap.make`, `RuleMapping.make`), in the
    /// order they are applied. A rule that reads a column an earlier learned rule replaced or took
    /// out is not learned, so each transform is computed from, and restored with, the values its
    /// rule reads. So that as many as can be are learned, a rule that reads the column another
    /// replaces comes before it (`total >= fare + tip + tolls` before `fare >= tip + tolls`);
    /// otherwise, and among rules that read each other's columns, the order given. An inequality
    /// not learned whose columns are a learned gap's, in proportion, bounds that gap
    /// (`RuleGap.bound(by:)`): `dropoff - pickup <= 86400` caps `dropoff >= pickup`'s.
    public static func plan(_ rules: [ConstraintRule], table: Table) -> [LearnedRule] {
        var remaining: [(rule: ConstraintRule, transform: LearnedRule)] = rules.compactMap { rule in
            guard let transform = RuleGap.make(rule, table: table).map(LearnedRule.gap) ?? RuleMapping.make(rule, table: table).map(LearnedRule.mapping) else {
                return nil
            }
            return (rule, transform)
        }
        var learned: [LearnedRule] = []
        var replaced = Set<String>()
        while !remaining.isEmpty {
            // The first rule whose column no other remaining rule reads; the first of all when each is read.
            let next = remaining.firstIndex { candidate in
                !remaining.contains { $0.rule.text != candidate.rule.text && $0.rule.columns.contains(candidate.transform.column) }
            } ?? 0
            let (rule, transform) = remaining.remove(at: next)
            guard replaced.isDisjoint(with: rule.columns) else { continue }
            learned.append(transform)
            replaced.insert(transform.column)
        }
        for rule in rules where !learned.contains(where: { $0.rules.contains(rule.text) }) {
            for index in learned.indices {
                guard case .gap(var gap) = learned[index], gap.bound(by: rule) else { continue }
                learned[index] = .gap(gap)
                break
            }
        }
        return learned
    }

    /// `table` as the generator learns it: each rule's transform, in order.
    public static func apply(_ rules: [LearnedRule], to table: Table) throws(TableError) -> Table {
        var table = table
        for rule in rules {
            switch rule {
            case .gap(let gap): table = try gap.apply(to: table)
            case .mapping(let mapping): table = try mapping.apply(to: table)
            }
        }
        return table
    }

    /// The rows a generator made, with each rule's column restored, in reverse order.
    public static func restore(_ rules: [LearnedRule], in table: Table) throws(TableError) -> Table {
        var table = table
        for rule in rules.reversed() {
            switch rule {
            case .gap(let gap): table = try gap.restore(in: table)
            case .mapping(let mapping): table = try mapping.restore(in: table)
            }
        }
        return table
    }

    /// The table's columns as the generator sees them: a gap's column with the gap's kind, a
    /// mapping's column left out.
    public static func generatorColumns(_ rules: [LearnedRule], columns: [(String, ColumnKind)]) -> [(String, ColumnKind)] {
        var columns = columns
        for rule in rules {
            switch rule {
            case .gap(let gap):
                if let index = columns.firstIndex(where: { $0.0 == gap.column }) { columns[index].1 = gap.gapKind }
            case .mapping(let mapping):
                columns.removeAll { $0.0 == mapping.column }
            }
        }
        return columns
    }
}

/// A functional dependency a generator learns as a mapping. For `pickup_zone -> pickup_borough`
/// the generator is fitted without pickup_borough; each row it makes gets the borough the
/// training rows name most often for its zone (ties: the first in sorted order), so no row
/// breaks the rule as the real rows map it. A key the training rows never held (a combination
/// of several columns' values) gets the value the training rows hold most often.
public struct RuleMapping: Codable, Sendable, Equatable {
    public var rule: String
    /// The columns of the key, and the column made from it (categorical, boolean or integer).
    public var from: [String]
    public var column: String
    public var kind: ColumnKind
    /// Where the column stands among the table's columns, to put it back there.
    public var position: Int
    /// The categorical column's levels, in order (empty for a boolean).
    public var levels: [String]
    /// Each key (its cells' texts, a missing one as "\u{0}", joined by "\u{1F}") and its value,
    /// sorted by key; nil for a missing value.
    public var keys: [String]
    public var values: [String?]
    /// The value of a key not among `keys`.
    public var fallback: String?

    /// The mapping of `rule` in `table`, when it is a dependency whose column is categorical,
    /// boolean or integer and whose key columns the table has; nil otherwise.
    public static func make(_ rule: ConstraintRule, table: Table) -> RuleMapping? {
        guard case .dependency(let from, let to) = rule.form, !from.contains(to),
              let target = table.column(named: to), [.categorical, .boolean, .integer].contains(target.kind),
              let position = table.columnNames.firstIndex(of: to) else { return nil }
        let keyColumns = from.compactMap { table.column(named: $0) }
        guard keyColumns.count == from.count else { return nil }
        let keyTexts = Self.keys(keyColumns, rows: table.rowCount)
        var counts: [String: [String?: Int]] = [:]
        var overall: [String?: Int] = [:]
        for row in 0..<table.rowCount {
            let value = target.text(at: row)
            counts[keyTexts[row], default: [:]][value, default: 0] += 1
            overall[value, default: 0] += 1
        }
        // The most frequent value; among equals, the first in sorted order (a missing one last).
        func mostFrequent(_ counts: [String?: Int]) -> String? {
            counts.max { a, b in a.value < b.value || (a.value == b.value && (a.key ?? "\u{10FFFF}") > (b.key ?? "\u{10FFFF}")) }?.key ?? nil
        }
        let sorted = counts.keys.sorted()
        var levels: [String] = []
        if case .categorical(_, let names) = target.values { levels = names }
        return RuleMapping(rule: rule.text, from: from, column: to, kind: target.kind, position: position, levels: levels,
                           keys: sorted, values: sorted.map { mostFrequent(counts[$0]!) }, fallback: mostFrequent(overall))
    }

    /// Each row's key over `columns`: their texts, a missing cell as "\u{0}", joined by "\u{1F}".
    static func keys(_ columns: [Column], rows: Int) -> [String] {
        (0..<rows).map { row in columns.map { $0.text(at: row) ?? "\u{0}" }.joined(separator: "\u{1F}") }
    }

    func apply(to table: Table) throws(TableError) -> Table {
        guard table.column(named: column) != nil else { throw .unknownColumn(column) }
        return try Table(columns: table.columns.filter { $0.name != column })
    }

    func restore(in table: Table) throws(TableError) -> Table {
        let keyColumns = try from.map { name throws(TableError) -> Column in
            guard let column = table.column(named: name) else { throw .unknownColumn(name) }
            return column
        }
        let lookup = Dictionary(uniqueKeysWithValues: zip(keys, values))
        let made = Self.keys(keyColumns, rows: table.rowCount).map { key in lookup[key] ?? fallback }
        let missing = made.map { $0 == nil }
        let values: ColumnValues
        if kind == .boolean {
            values = .boolean(made.map { $0 == "true" })
        } else if kind == .integer {
            values = .integer(made.map { $0.flatMap { Int64($0) } ?? 0 })
        } else {
            let codes = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
            values = .categorical(codes: made.map { $0.flatMap { codes[$0] } ?? 0 }, levels: levels)
        }
        var columns = table.columns
        columns.insert(Column(name: column, values: values, missing: missing), at: Swift.min(position, columns.count))
        return try Table(columns: columns)
    }
}

/// An inequality a generator learns as a gap. For `dropoff >= pickup` the generator is fitted on
/// the gap dropoff − pickup, in place of dropoff; each row it makes gets dropoff back as pickup
/// plus the gap, a gap under 0 taken as 0 (for `>`, as the column's smallest step), so every row
/// keeps the rule and the generator learns how far apart the two are, not only their order.
///
/// The gap is Σ coefficient × value over the rule's terms (left minus right for `>=` and `>`,
/// right minus left for `<=` and `<`), with datetimes in seconds and booleans as 0 and 1, as the
/// rule reads them. The column it stands in for is the first whose coefficient is 1 (else −1)
/// and that is continuous, integer or datetime.
public struct RuleGap: Codable, Sendable, Equatable {
    public struct Term: Codable, Sendable, Equatable {
        public var coefficient: Double
        /// nil for the constant.
        public var column: String?
    }

    /// The rule as written.
    public var rule: String
    /// The column the gap stands in for.
    public var column: String
    public var terms: [Term]
    /// Whether the gap must be above 0 (`>` and `<`) rather than at least 0.
    public var strict: Bool
    /// The column's kind and the grid its values lie on, in its own units (microseconds for a
    /// datetime; 0 when they lie on none).
    public var kind: ColumnKind
    public var resolution: Double
    /// The gap as the generator sees it: integer when every value it sums is whole, and the grid
    /// it is rounded to (0 for none).
    public var gapKind: ColumnKind
    public var gapResolution: Double
    /// Bounds on the gap from other rules of the same columns (`dropoff - pickup <= 86400`), and
    /// those rules.
    public var lower: Double?
    public var lowerStrict: Bool?
    public var upper: Double?
    public var upperStrict: Bool?
    public var boundRules: [String]?

    /// The coefficient of the column the gap stands in for (1 or −1).
    var ownCoefficient: Double { terms.first { $0.column == column }!.coefficient }

    // MARK: Planning

    /// The gap of `rule` in `table`, when it is an inequality (`>=`, `>`, `<=`, `<`) between
    /// columns the table has, all numeric, datetime or boolean, one of them with coefficient ±1
    /// and continuous, integer or datetime; nil otherwise.
    public static func make(_ rule: ConstraintRule, table: Table) -> RuleGap? {
        guard let (terms, strict) = gapTerms(rule) else { return nil }
        let columns = terms.compactMap { term in term.column.flatMap { table.column(named: $0) } }
        guard columns.count == terms.filter({ $0.column != nil }).count, columns.allSatisfy({ $0.kind != .categorical }) else { return nil }
        let candidates = terms.filter { term in table.column(named: term.column ?? "")?.kind.isNumeric == true }
        guard let own = candidates.first(where: { $0.coefficient == 1 }) ?? candidates.first(where: { $0.coefficient == -1 }),
              let name = own.column, let target = table.column(named: name) else { return nil }
        // Each column's grid, in its own units (microseconds for a datetime), read once.
        let resolutions = columns.map { NumericDomain.resolution(kind: $0.kind, values: $0.presentNumbers() ?? []) }
        let resolution = resolutions[columns.firstIndex { $0.name == name }!]
        // With whole coefficients, the gap lies on the finest of the columns' grids, in the units
        // the rule reads them; it is whole when every column's values are (integers, booleans,
        // datetimes in whole seconds).
        let wholeCoefficients = terms.allSatisfy { $0.coefficient == $0.coefficient.rounded() }
        let finest = zip(columns, resolutions).map { column, grid in
            column.kind == .datetime ? grid / 1_000_000 : column.kind == .boolean ? 1 : grid
        }.min() ?? 0
        let whole = wholeCoefficients && zip(columns, resolutions).allSatisfy { column, grid in
            column.kind == .integer || column.kind == .boolean || (column.kind == .datetime && grid.truncatingRemainder(dividingBy: 1_000_000) == 0)
        }
        let gap = RuleGap(rule: rule.text, column: name, terms: terms, strict: strict,
                          kind: target.kind, resolution: resolution, gapKind: whole ? .integer : .continuous,
                          gapResolution: whole ? 1 : wholeCoefficients && finest > 0 ? finest : 0)
        // A gap past 2⁵³ in size (a huge coefficient) would not restore the column exactly.
        guard let gaps = try? gap.sums(terms, in: table), gaps.allSatisfy({ $0.map { $0.isFinite && Swift.abs($0) < 9e15 } ?? true }) else { return nil }
        return gap
    }

    /// An inequality's gap, Σ coefficient × column plus a constant (a term without a column, kept
    /// even when 0), that the rule asks to be at least 0, or above 0 (`strict`); nil for a
    /// dependency, `==` or `!=`.
    static func gapTerms(_ rule: ConstraintRule) -> (terms: [Term], strict: Bool)? {
        guard case .compare(let left, let comparison, let right) = rule.form else { return nil }
        let sign: Double
        switch comparison {
        case .atLeast, .above: sign = 1
        case .atMost, .below: sign = -1
        case .equal, .unequal: return nil
        }
        // Σ over left minus Σ over right (times the sign), each column once.
        var coefficients: [(String?, Double)] = []
        func add(_ term: (coefficient: Double, column: String?), _ factor: Double) {
            if let index = coefficients.firstIndex(where: { $0.0 == term.column }) {
                coefficients[index].1 += factor * term.coefficient
            } else {
                coefficients.append((term.column, factor * term.coefficient))
            }
        }
        left.terms.forEach { add($0, sign) }
        right.terms.forEach { add($0, -sign) }
        if !coefficients.contains(where: { $0.0 == nil }) { coefficients.append((nil, 0)) }
        let terms = coefficients.filter { $0.1 != 0 || $0.0 == nil }.map { Term(coefficient: $0.1, column: $0.0) }
        return (terms, comparison == .above || comparison == .below)
    }

    /// `rule` as a bound on this gap, when its columns' coefficients are a multiple c of the
    /// gap's (`dropoff - pickup <= 86400` of `dropoff >= pickup`'s, c = −1): with the gap
    /// g = Σ aᵢxᵢ + a₀ and the rule's h = Σ bᵢxᵢ + b₀ = c(g − a₀) + b₀ ≥ 0, the gap is at least
    /// a₀ − b₀/c for c > 0 and at most it for c < 0. The rule is recorded with the bound.
    mutating func bound(by rule: ConstraintRule) -> Bool {
        guard let (other, strict) = Self.gapTerms(rule) else { return false }
        let own = terms.filter { $0.column != nil }, theirs = other.filter { $0.column != nil }
        guard own.count == theirs.count, let first = own.first,
              let matching = theirs.first(where: { $0.column == first.column }) else { return false }
        let c = matching.coefficient / first.coefficient
        guard c != 0, c.isFinite, own.allSatisfy({ term in
            theirs.contains { $0.column == term.column && ConstraintRule.close($0.coefficient, c * term.coefficient) }
        }) else { return false }
        let a0 = terms.first { $0.column == nil }?.coefficient ?? 0, b0 = other.first { $0.column == nil }?.coefficient ?? 0
        let edge = a0 - b0 / c
        guard edge.isFinite else { return false }
        if c > 0 {
            if lower.map({ edge > $0 || (edge == $0 && strict) }) ?? true { (lower, lowerStrict) = (edge, strict) }
        } else {
            if upper.map({ edge < $0 || (edge == $0 && strict) }) ?? true { (upper, upperStrict) = (edge, strict) }
        }
        boundRules = (boundRules ?? []) + [rule.text]
        return true
    }

    // MARK: Transforming

    /// Each row's value of the terms in `terms`, nil where a cell they read is missing.
    func sums(_ terms: [Term], in table: Table) throws(TableError) -> [Double?] {
        var reads: [(Double, (Int) -> Double?)] = []
        var constant = 0.0
        for term in terms {
            guard let name = term.column else { constant += term.coefficient; continue }
            guard let column = table.column(named: name) else { throw .unknownColumn(name) }
            guard let read = ConstraintRule.numbers(column) else { throw .kindMismatch(name, column.kind.rawValue, "a number") }
            reads.append((term.coefficient, read))
        }
        return (0..<table.rowCount).map { row in
            var sum = constant
            for (coefficient, read) in reads {
                guard let value = read(row) else { return nil }
                sum += coefficient * value
            }
            return sum
        }
    }

    func apply(to table: Table) throws(TableError) -> Table {
        let gaps = try sums(terms, in: table)
        let missing = gaps.map { $0 == nil }
        let values: ColumnValues
        switch gapKind {
        case .integer: values = .integer(gaps.map { Self.whole($0 ?? 0) })
        default: values = .continuous(gaps.map { gap in
            guard let gap else { return 0 }
            return Self.onGrid(gap, gapResolution, .toNearestOrAwayFromZero)
        })
        }
        return try table.replacing(Column(name: column, values: values, missing: missing))
    }

    func restore(in table: Table) throws(TableError) -> Table {
        guard let made = table.column(named: column) else { throw .unknownColumn(column) }
        guard let readGap = ConstraintRule.numbers(made) else { throw .kindMismatch(column, made.kind.rawValue, "a number") }
        let own = ownCoefficient
        let rest = try sums(terms.filter { $0.column != column }, in: table)
        // The smallest step of the column, in the units the rule reads it.
        let unit = kind == .datetime ? 1_000_000.0 : 1
        let step = resolution > 0 ? resolution / unit : 0
        var values = [Double](repeating: 0, count: table.rowCount)
        var missing = [Bool](repeating: false, count: table.rowCount)
        for row in 0..<table.rowCount {
            guard let gap = readGap(row), let rest = rest[row] else { missing[row] = true; continue }
            // At least 0 (above it for a strict rule) and within the bounds other rules set.
            // A step past the rule's edge that the judge does not take as equal to it.
            let nudge = Swift.max(step, 10 * ConstraintRule.closeness * Swift.max(1, Swift.abs(rest)))
            var made = Swift.max(gap, strict ? nudge : 0)
            if let lower { made = Swift.max(made, lowerStrict == true ? lower + nudge : lower) }
            if let upper { made = Swift.min(made, upperStrict == true ? upper - nudge : upper) }
            // own × value + rest = gap, so value = (gap − rest) / own, in the column's units.
            values[row] = (made - rest) / own * unit
        }
        // On the column's grid: the nearest point that keeps the rule, else the next one away
        // from breaking it.
        let rule = try? ConstraintRule.parse(self.rule).first
        func restored(_ values: [Double]) -> Column {
            switch kind {
            case .integer: Column(name: column, values: .integer(values.map(Self.whole)), missing: missing)
            case .datetime: Column(name: column, values: .datetime(values.map(Self.whole)), missing: missing)
            default: Column(name: column, values: .continuous(values), missing: missing)
            }
        }
        let grid = kind == .integer || kind == .datetime ? Swift.max(resolution, 1) : resolution
        var placed = values.map { Self.onGrid($0, grid, .toNearestOrAwayFromZero) }
        var result = try table.replacing(restored(placed))
        guard let rule else { return result }
        let away: FloatingPointRoundingRule = own > 0 ? .up : .down
        for attempt in 0..<4 {
            guard let verdicts = try? rule.judge(result) else { break }
            let broken = verdicts.indices.filter { verdicts[$0] == false && !missing[$0] }
            if broken.isEmpty { break }
            for row in broken {
                // First the grid point away from breaking; then further steps away.
                let nudge = grid > 0 ? grid * Double(attempt) : Swift.abs(values[row]) * 1e-12 * Double(1 << (2 * attempt))
                placed[row] = Self.onGrid(values[row], grid, away) + (own > 0 ? nudge : -nudge)
            }
            result = try table.replacing(restored(placed))
        }
        return result
    }
}

extension RuleGap {
    /// `value` rounded to a whole number, held within Int64's range (NaN as 0).
    static func whole(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        let limit = 9.2e18
        return Int64(Swift.min(Swift.max(value, -limit), limit).rounded())
    }

    /// `value` on the grid of step `grid` (unchanged for 0); a decimal grid scales by its inverse,
    /// so 0.01 gives 12.34 rather than 12.340000000000002.
    static func onGrid(_ value: Double, _ grid: Double, _ rounding: FloatingPointRoundingRule) -> Double {
        guard grid > 0 else { return value }
        if grid >= 1 { return (value / grid).rounded(rounding) * grid }
        let scale = (1 / grid).rounded()
        return (value * scale).rounded(rounding) / scale
    }
}

extension Table {
    /// The table with the column of the same name replaced by `column`, in its place.
    public func replacing(_ column: Column) throws(TableError) -> Table {
        guard let index = columns.firstIndex(where: { $0.name == column.name }) else { throw .unknownColumn(column.name) }
        var columns = self.columns
        columns[index] = column
        return try Table(columns: columns)
    }
}
