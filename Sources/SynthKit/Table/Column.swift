/// The kinds of column SynthLab knows. They map one to one onto Arrow types at the plugin boundary
/// (see `synth_plugin.h`).
public enum ColumnKind: String, Sendable, Codable, CaseIterable {
    case continuous, integer, categorical, boolean, datetime

    public var isNumeric: Bool { self == .continuous || self == .integer || self == .datetime }
}

/// The values of one column. Missing cells hold a placeholder (0, 0.0, false or code 0) and are
/// marked in `Column.missing`.
public enum ColumnValues: Sendable, Equatable {
    case continuous([Double])
    case integer([Int64])
    /// `codes[i]` indexes `levels`.
    case categorical(codes: [Int32], levels: [String])
    case boolean([Bool])
    /// Microseconds since 1970-01-01T00:00:00Z.
    case datetime([Int64])

    public var kind: ColumnKind {
        switch self {
        case .continuous: .continuous
        case .integer: .integer
        case .categorical: .categorical
        case .boolean: .boolean
        case .datetime: .datetime
        }
    }

    public var count: Int {
        switch self {
        case .continuous(let v): v.count
        case .integer(let v): v.count
        case .categorical(let codes, _): codes.count
        case .boolean(let v): v.count
        case .datetime(let v): v.count
        }
    }
}

/// One named column of a `Table`.
public struct Column: Sendable, Equatable {
    public var name: String
    public var values: ColumnValues
    /// Empty when no cell is missing; otherwise one flag per row, true where the cell is missing.
    public private(set) var missing: [Bool]

    public init(name: String, values: ColumnValues, missing: [Bool] = []) {
        precondition(missing.isEmpty || missing.count == values.count,
                     "column '\(name)': missing mask has \(missing.count) flags for \(values.count) values")
        self.name = name
        self.values = values
        self.missing = missing.contains(true) ? missing : []
    }

    public var kind: ColumnKind { values.kind }
    public var count: Int { values.count }
    public var missingCount: Int { missing.reduce(0) { $0 + ($1 ? 1 : 0) } }
    public func isMissing(_ row: Int) -> Bool { !missing.isEmpty && missing[row] }

    /// True for a datetime column whose present values all fall on a midnight: a column of dates,
    /// which the CSV writer and the summaries show without a time.
    /// A categorical column's levels that some present row holds (a sampled column's dictionary
    /// may list others), in the dictionary's order; empty for other kinds.
    public var heldLevels: [(index: Int, level: String)] {
        guard case .categorical(let codes, let levels) = values else { return [] }
        var held = [Bool](repeating: false, count: levels.count)
        for (row, code) in codes.enumerated() where !isMissing(row) { held[Int(code)] = true }
        return levels.indices.filter { held[$0] }.map { ($0, levels[$0]) }
    }

    public var holdsDatesOnly: Bool {
        guard case .datetime(let values) = values else { return false }
        return values.indices.allSatisfy { isMissing($0) || values[$0] % 86_400_000_000 == 0 }
    }

    /// The present values as doubles (continuous, integer, datetime and boolean columns; nil for
    /// categorical ones). Datetimes are microseconds since the epoch.
    public func presentNumbers() -> [Double]? {
        var out: [Double] = []
        out.reserveCapacity(count)
        switch values {
        case .continuous(let v): for i in v.indices where !isMissing(i) { out.append(v[i]) }
        case .integer(let v): for i in v.indices where !isMissing(i) { out.append(Double(v[i])) }
        case .datetime(let v): for i in v.indices where !isMissing(i) { out.append(Double(v[i])) }
        case .boolean(let v): for i in v.indices where !isMissing(i) { out.append(v[i] ? 1 : 0) }
        case .categorical: return nil
        }
        return out
    }

    /// The text of the cell as the CSV writer writes it; nil when missing.
    public func text(at row: Int) -> String? {
        if isMissing(row) { return nil }
        switch values {
        case .continuous(let v): return formatDouble(v[row])
        case .integer(let v): return String(v[row])
        case .categorical(let codes, let levels): return levels[Int(codes[row])]
        case .boolean(let v): return v[row] ? "true" : "false"
        case .datetime(let v): return DateTimeFormat.format(microseconds: v[row], dateOnly: false)
        }
    }
}

/// A count with its noun, singular for one: `counted(1, "row")` is "1 row", `counted(3, "row")`
/// "3 rows"; `plural` for a noun that takes more than an s.
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
}

/// Shortest text that reads back as the same double, with no exponent for ordinary magnitudes
/// and no trailing ".0" noise beyond what Swift prints.
public func formatDouble(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int64(value)) + ".0" }
    return "\(value)"
}
