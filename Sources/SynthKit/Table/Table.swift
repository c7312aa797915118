/// A rectangular table of named, typed columns: the unit every generator learns from and makes,
/// and every validator compares. Columns all have the same number of rows and distinct names.
public struct Table: Sendable, Equatable {
    public private(set) var columns: [Column]
    public let rowCount: Int

    public init(columns: [Column]) throws(TableError) {
        var seen = Set<String>()
        for column in columns {
            guard seen.insert(column.name).inserted else {
                throw TableError.duplicateColumn(column.name)
            }
        }
        let counts = Set(columns.map(\.count))
        guard counts.count <= 1 else {
            let detail = columns.map { "\($0.name)=\($0.count)" }.joined(separator: ", ")
            throw TableError.raggedColumns(detail)
        }
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
    }

    public var columnNames: [String] { columns.map(\.name) }
    public var kinds: [ColumnKind] { columns.map(\.kind) }

    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// The rows at `indices`, in that order (repeats allowed).
    public func rows(_ indices: [Int]) -> Table {
        // Taking rows keeps names and lengths equal, so the throwing initializer cannot fail.
        try! Table(columns: columns.map { $0.taking(indices) })
    }
}

public enum TableError: Error, CustomStringConvertible, Equatable {
    case duplicateColumn(String)
    case raggedColumns(String)
    case unknownColumn(String)
    case kindMismatch(String, String, String)

    public var description: String {
        switch self {
        case .duplicateColumn(let name): "duplicate column name '\(name)'"
        case .raggedColumns(let detail): "columns differ in length (\(detail))"
        case .unknownColumn(let name): "no column named '\(name)'"
        case .kindMismatch(let name, let first, let second): "column '\(name)' is \(first) in one table and \(second) in the other"
        }
    }
}

extension Column {
    /// The cells at `indices`, in that order.
    public func taking(_ indices: [Int]) -> Column {
        let mask = missing.isEmpty ? [] : indices.map { missing[$0] }
        let taken: ColumnValues
        switch values {
        case .continuous(let v): taken = .continuous(indices.map { v[$0] })
        case .integer(let v): taken = .integer(indices.map { v[$0] })
        case .categorical(let codes, let levels): taken = .categorical(codes: indices.map { codes[$0] }, levels: levels)
        case .boolean(let v): taken = .boolean(indices.map { v[$0] })
        case .datetime(let v): taken = .datetime(indices.map { v[$0] })
        }
        return Column(name: name, values: taken, missing: mask)
    }
}

extension Column {
    /// This column's cells followed by `other`'s (same kind; categorical levels merged, this
    /// column's first).
    public func appending(_ other: Column) throws(TableError) -> Column {
        let mask: [Bool] = missing.isEmpty && other.missing.isEmpty ? []
            : (0..<count).map(isMissing) + (0..<other.count).map(other.isMissing)
        let joined: ColumnValues
        switch (values, other.values) {
        case (.continuous(let a), .continuous(let b)): joined = .continuous(a + b)
        case (.integer(let a), .integer(let b)): joined = .integer(a + b)
        case (.boolean(let a), .boolean(let b)): joined = .boolean(a + b)
        case (.datetime(let a), .datetime(let b)): joined = .datetime(a + b)
        case (.categorical(let a, let levels), .categorical(let b, let otherLevels)):
            var merged = levels
            var index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
            let remap: [Int32] = otherLevels.map { level in
                if let known = index[level] { return known }
                merged.append(level)
                index[level] = Int32(merged.count - 1)
                return Int32(merged.count - 1)
            }
            // A missing cell's code means nothing (0, even in a column without levels): keep 0.
            joined = .categorical(codes: a + b.indices.map { other.isMissing($0) ? 0 : remap[Int(b[$0])] }, levels: merged)
        default:
            throw .kindMismatch(name, kind.rawValue, other.kind.rawValue)
        }
        return Column(name: name, values: joined, missing: mask)
    }
}

extension Table {
    /// This table's rows followed by `other`'s, column by column in this table's order (`other`
    /// needs every column, of the same kind).
    public func appendingRows(of other: Table) throws(TableError) -> Table {
        var joined: [Column] = []
        for column in columns {
            guard let more = other.column(named: column.name) else { throw .unknownColumn(column.name) }
            joined.append(try column.appending(more))
        }
        return try Table(columns: joined)
    }
}
