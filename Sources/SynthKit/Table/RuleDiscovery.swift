extension ConstraintRule {
    /// Rules every row of `table` keeps, as candidates for the rules of its domain (a table keeps
    /// rules by chance too: the caller chooses). In column order:
    ///
    /// - `A >= B` for two datetime columns, or two numeric (continuous or integer) ones, when
    ///   every row with both cells present has A ≥ B, some row has A > B, and the two columns'
    ///   values alone would break it: drawn independently, each from its own column (over those
    ///   rows), A < B at least `independentBreaks` of the time. So the rule says something about
    ///   rows, not only about each column's range: `dropoff >= pickup` (0.50 on NYC taxis) and
    ///   `total >= fare` (0.29) are found, `fnlwgt >= age` (0) and a row number above a flag are not;
    /// - `A >= B + C + …` for numeric columns when A is at least each of two or more columns B, C, …
    ///   that are never negative, and at least their sum on every row with all of them present,
    ///   and A and the sum drawn independently would break it as often as above: it stands for
    ///   those columns' own rules (`total >= fare + tip + tolls`);
    /// - `A -> B` for a categorical or boolean column A and a categorical, boolean or integer
    ///   column B, when the rows with both present name one B for each A, B takes two values or
    ///   more, and A has at most half as many values as such rows (an id determines everything).
    ///   Of two columns that determine each other, only the first determines the second.
    ///
    /// A rule is judged on at least `minimumRows` rows with its cells present. With `breaks`, a
    /// rule may be broken on that share of them and still be found (a table with a few wrong
    /// rows): for a dependency, the rows whose B is not their A's most frequent.
    public static func discover(in table: Table, minimumRows: Int = 10, independentBreaks: Double = 0.01, breaks: Double = 0) -> [ConstraintRule] {
        var rules: [ConstraintRule] = []
        func name(_ column: Column) -> String { needsBackticks(column.name) ? "`\(column.name)`" : column.name }
        func add(_ text: String) {
            if let rule = try? parse(text).first { rules.append(rule) }
        }
        // Inequalities: datetimes first, then numbers.
        for family in [[ColumnKind.datetime], [.continuous, .integer]] {
            let columns = table.columns.filter { family.contains($0.kind) }
            guard columns.count > 1 else { continue }
            let reads = columns.map { numbers($0)! }
            let ranges = columns.map { column -> ClosedRange<Double>? in
                guard let values = column.presentNumbers(), let low = values.min(), let high = values.max() else { return nil }
                return low...high
            }
            for a in columns.indices {
                var singles: [String] = []
                var below: [Int] = []
                for b in columns.indices where a != b {
                    // A above B by the ranges alone holds, and independent draws never break it:
                    // a part of a sum, never a rule of its own.
                    if let rangeA = ranges[a], let rangeB = ranges[b], rangeA.lowerBound > rangeB.upperBound {
                        below.append(b)
                        continue
                    }
                    var xs: [Double] = [], ys: [Double] = []
                    var above = false, broken = 0
                    for row in 0..<table.rowCount {
                        guard let x = reads[a](row), let y = reads[b](row) else { continue }
                        if x < y {
                            broken += 1
                            if breaks == 0 { break }
                        } else if x > y {
                            above = true
                        }
                        xs.append(x)
                        ys.append(y)
                    }
                    guard Double(broken) <= breaks * Double(xs.count), above, xs.count >= minimumRows else { continue }
                    below.append(b)
                    if independentShareBelow(xs, ys) >= independentBreaks { singles.append("\(name(columns[a])) >= \(name(columns[b]))") }
                }
                // A sum of columns that are never negative, which A is at least.
                if family != [.datetime], below.count >= 2, below.allSatisfy({ (ranges[$0]?.lowerBound ?? -1) >= 0 }) {
                    var xs: [Double] = [], sums: [Double] = []
                    var broken = 0
                    for row in 0..<table.rowCount {
                        guard let x = reads[a](row) else { continue }
                        var sum = 0.0, present = true
                        for b in below {
                            guard let y = reads[b](row) else { present = false; break }
                            sum += y
                        }
                        guard present else { continue }
                        xs.append(x)
                        sums.append(sum)
                        if x < sum && !close(x, sum) {
                            broken += 1
                            if breaks == 0 { break }
                        }
                    }
                    if Double(broken) <= breaks * Double(xs.count), xs.count >= minimumRows, independentShareBelow(xs, sums) >= independentBreaks {
                        add("\(name(columns[a])) >= " + below.map { name(columns[$0]) }.joined(separator: " + "))
                        continue
                    }
                }
                singles.forEach(add)
            }
        }
        // Dependencies, on codes: a categorical column's level codes, a boolean's 0 and 1, an
        // integer column's values (missing cells as Int64.min).
        func codes(_ column: Column) -> [Int64] {
            switch column.values {
            case .categorical(let codes, _): (0..<column.count).map { column.isMissing($0) ? .min : Int64(codes[$0]) }
            case .boolean(let values): (0..<column.count).map { column.isMissing($0) ? .min : (values[$0] ? 1 : 0) }
            case .integer(let values): (0..<column.count).map { column.isMissing($0) ? .min : values[$0] }
            default: []
            }
        }
        let keys = table.columns.filter { $0.kind == .categorical || $0.kind == .boolean }
        let targets = table.columns.filter { $0.kind == .categorical || $0.kind == .boolean || $0.kind == .integer }
        let targetCodes = Dictionary(uniqueKeysWithValues: targets.map { ($0.name, codes($0)) })
        var found: [(String, String)] = []
        for key in keys {
            let keyCodes = targetCodes[key.name]!
            let keyCount: Int
            if case .categorical(_, let levels) = key.values { keyCount = levels.count } else { keyCount = 2 }
            for target in targets where target.name != key.name {
                let values = targetCodes[target.name]!
                // Each key's value (its values' counts, when some rows may break the rule), the
                // keys seen, whether the values vary at all.
                var mapped = [Int64](repeating: .min, count: keyCount)
                var counts = [[Int64: Int]](repeating: [:], count: breaks > 0 ? keyCount : 0)
                var keysSeen = 0, rows = 0, holds = true
                var first: Int64?, varied = false
                for row in 0..<table.rowCount {
                    let k = keyCodes[row], v = values[row]
                    guard k != .min, v != .min else { continue }
                    rows += 1
                    if let first { varied = varied || v != first } else { first = v }
                    let slot = Int(k)
                    if mapped[slot] == .min {
                        mapped[slot] = v
                        keysSeen += 1
                    }
                    if breaks > 0 {
                        counts[slot][v, default: 0] += 1
                    } else if mapped[slot] != v {
                        holds = false
                        break
                    }
                }
                if breaks > 0 {
                    let kept = counts.reduce(0) { $0 + ($1.values.max() ?? 0) }
                    holds = Double(rows - kept) <= breaks * Double(rows)
                }
                guard holds, varied, rows >= minimumRows, 2 * keysSeen <= rows else { continue }
                // Of a pair that determine each other, the first in column order determines the second.
                if found.contains(where: { $0 == (target.name, key.name) }) { continue }
                found.append((key.name, target.name))
                add("\(name(key)) -> \(name(target))")
            }
        }
        return rules
    }

    /// The share of pairs (x of `xs`, y of `ys`) with x < y.
    static func independentShareBelow(_ xs: [Double], _ ys: [Double]) -> Double {
        let sorted = xs.sorted()
        var pairs = 0.0
        for y in ys {
            // How many x lie below y.
            var low = 0, high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < y { low = middle + 1 } else { high = middle }
            }
            pairs += Double(low)
        }
        return pairs / (Double(xs.count) * Double(ys.count))
    }
}
