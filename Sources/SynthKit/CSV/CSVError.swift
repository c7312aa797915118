/// A problem with a CSV file, naming the file, the line (1-based, as an editor shows it) and what
/// is wrong.
public struct CSVError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case unreadable(String)
        case empty
        case headerOnly
        case invalidUTF8
        /// A UTF-16 (or UTF-32) byte-order mark opens the file.
        case utf16
        /// A NUL byte, which UTF-8 text never holds: UTF-16 without a byte-order mark, or binary.
        case nulByte
        /// gzip data that cannot be decompressed: why.
        case gzip(String)
        /// A file of another format, known by its first bytes: what it is, and what to do.
        case otherFormat(String, advice: String)
        /// Reading the file would take more memory than the machine has: why.
        case tooLarge(String)
        /// A record longer than 4 GiB, or a field longer than 2 GiB.
        case recordTooLong
        case unterminatedQuote
        case unexpectedQuote
        case raggedRow(found: Int, expected: Int)
        case emptyColumnName(column: Int)
        case duplicateColumnName(String, first: Int, second: Int)
        case unknownColumn(String, known: [String])
        case badValue(column: String, value: String, kind: ColumnKind)
    }

    public var file: String
    /// 0 when the problem is about the whole file.
    public var line: Int
    public var problem: Problem

    public init(file: String, line: Int, problem: Problem) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        switch problem {
        case .unreadable(let reason): return "\(place): cannot read the file: \(reason)"
        case .empty: return "\(place): the file is empty"
        case .headerOnly: return "\(place): the file has a header but no data rows"
        case .invalidUTF8: return "\(place): invalid UTF-8 byte sequence"
        case .utf16: return "\(place): the file is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
        case .gzip(let reason), .tooLarge(let reason): return "\(place): \(reason)"
        case .otherFormat(let format, let advice): return "\(place): the file is \(format), not CSV text; \(advice)"
        case .recordTooLong: return "\(place): the record is longer than 4 GiB, or one of its fields longer than 2 GiB"
        case .nulByte:
            return "\(place): a NUL byte: the file is not UTF-8 text (UTF-16 without a byte-order mark, or a binary file); save it as UTF-8 CSV"
        case .unterminatedQuote: return "\(place): a quoted field opened on this line is never closed"
        case .unexpectedQuote: return "\(place): a quote appears inside an unquoted field (quote the whole field and double the quote)"
        case .raggedRow(let found, let expected):
            return "\(place): the row has \(found) field\(found == 1 ? "" : "s"), the header has \(expected)"
        case .emptyColumnName(let column): return "\(place): column \(column) of the header has no name"
        case .duplicateColumnName(let name, let first, let second):
            return "\(place): duplicate column name '\(name)' (columns \(first) and \(second))"
        case .unknownColumn(let name, let known):
            return "\(place): no column named '\(name)' (columns: \(known.joined(separator: ", ")))"
        case .badValue(let column, let value, let kind):
            return "\(place): column '\(column)': '\(value)' is not a valid \(kind.rawValue) value"
        }
    }
}
