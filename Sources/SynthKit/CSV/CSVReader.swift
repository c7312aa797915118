import Foundation

/// Reads CSV files into `Table`s, inferring each column's kind unless told.
///
/// Inference looks at the present (non-missing) cells of a column: all integers → `integer`
/// (but not when a value has a leading zero, like a ZIP code), all numbers → `continuous`,
/// all `true`/`false` → `boolean`, all ISO 8601 dates or times → `datetime`, else `categorical`.
/// A column with no present cell is categorical.
public enum CSVReader {
    public static func read(path: String, options: CSVOptions = CSVOptions()) throws(CSVError) -> Table {
        try parse(bytes: try contents(of: path), file: path, options: options)
    }

    /// Every byte of `path` (`FileBytes.read`), its failure in CSVError's words.
    static func contents(of path: String) throws(CSVError) -> [UInt8] {
        do { return try FileBytes.read(path, text: true) } catch {
            let reason = switch error {
            case .folder: "it is a directory"
            case .binary: "it holds binary data (a NUL byte), not CSV text"
            default: error.reason
            }
            throw CSVError(file: path, line: 0, problem: .unreadable(reason))
        }
    }

    /// The delimiter of CSV text whose options name none. Of comma, tab, semicolon and vertical
    /// bar, counted outside quotes on each of the first 20 nonblank lines: the one the header holds
    /// most often among those every line holds as often as the header does (a comma first on a
    /// tie); else the one the header holds most often; else (a single column) a comma.
    public static func detectDelimiter(in bytes: [UInt8]) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), 9, UInt8(ascii: ";"), UInt8(ascii: "|")]
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var lines: [[Int]] = []
        var counts = [Int](repeating: 0, count: candidates.count)
        var blank = true, quoted = false
        var index = 0
        func endLine() {
            if !blank { lines.append(counts) }
            counts = [Int](repeating: 0, count: candidates.count)
            blank = true
        }
        while index < bytes.count, lines.count < 20 {
            let byte = bytes[index]
            index += 1
            if byte == quote { quoted.toggle() } // a doubled quote toggles twice
            if quoted { blank = false; continue }
            if byte == lf || byte == cr { endLine(); continue } // CRLF ends a line and a blank one
            if byte != 32 { blank = false }
            if let k = candidates.firstIndex(of: byte) { counts[k] += 1 }
        }
        if index == bytes.count { endLine() }
        guard let header = lines.first else { return candidates[0] }
        func best(_ among: [Int]) -> Int? {
            among.filter { header[$0] > 0 }.max { header[$0] < header[$1] || (header[$0] == header[$1] && $0 > $1) }
        }
        let steady = candidates.indices.filter { k in lines.allSatisfy { $0[k] == header[k] } }
        guard let chosen = best(steady) ?? best(Array(candidates.indices)) else { return candidates[0] }
        return candidates[chosen]
    }

    public static func parse(text: String, file: String = "<text>", options: CSVOptions = CSVOptions()) throws(CSVError) -> Table {
        try parse(bytes: Array(text.utf8), file: file, options: options)
    }

    public static func parse(bytes: [UInt8], file: String, options: CSVOptions = CSVOptions()) throws(CSVError) -> Table {
        var body = bytes
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) } // UTF-8 byte-order mark
        if body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0xFE, 0xFF]) {   // UTF-16's, little- or big-endian
            throw CSVError(file: file, line: 0, problem: .utf16)
        }
        if body.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            throw CSVError(file: file, line: 0, problem: .empty)
        }
        if let bad = firstNonTextByte(body) {
            throw CSVError(file: file, line: bad.line, problem: bad.problem)
        }
        let tokenizer = CSVTokenizer(bytes: body, file: file, delimiter: options.delimiter ?? detectDelimiter(in: body),
                                     trimWhitespace: options.trimWhitespace)
        let records = try tokenizer.records()
        guard let header = records.first else { throw CSVError(file: file, line: 0, problem: .empty) }
        var firstIndex: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            if name.isEmpty {
                throw CSVError(file: file, line: header.line, problem: .emptyColumnName(column: index + 1))
            }
            if let first = firstIndex[name] {
                throw CSVError(file: file, line: header.line,
                               problem: .duplicateColumnName(name, first: first + 1, second: index + 1))
            }
            firstIndex[name] = index
        }
        for name in options.kindOverrides.keys.sorted() where firstIndex[name] == nil {
            throw CSVError(file: file, line: header.line, problem: .unknownColumn(name, known: header.fields))
        }
        let rows = records.dropFirst()
        guard !rows.isEmpty else { throw CSVError(file: file, line: header.line, problem: .headerOnly) }
        for row in rows where row.fields.count != header.fields.count {
            throw CSVError(file: file, line: row.line,
                           problem: .raggedRow(found: row.fields.count, expected: header.fields.count))
        }

        let lines = rows.map(\.line)
        // Cells longer than every missing token are not looked up.
        let longestMissingToken = options.missingTokens.map(\.utf8.count).max() ?? -1
        var columns: [Column] = []
        columns.reserveCapacity(header.fields.count)
        for (index, name) in header.fields.enumerated() {
            var cells = rows.map { $0.fields[index] }
            let missing = cells.map { $0.utf8.count <= longestMissingToken && options.missingTokens.contains($0) }
            let inferred = options.kindOverrides[name] == nil
            var kind = options.kindOverrides[name] ?? inferKind(cells, missing: missing)
            if options.decimalComma, kind == .categorical || !inferred, let pointed = decimalPoints(cells) {
                let pointedKind = options.kindOverrides[name] ?? inferKind(pointed, missing: missing)
                if pointedKind == .continuous || pointedKind == .integer {
                    cells = pointed
                    kind = pointedKind
                }
            }
            // Inference has checked every cell's syntax already.
            let values = try convert(cells, missing: missing, kind: kind, checked: inferred) { row, value throws(CSVError) in
                throw CSVError(file: file, line: lines[row], problem: .badValue(column: name, value: value, kind: kind))
            }
            columns.append(Column(name: name, values: values, missing: missing))
        }
        // Names were checked unique and every column has one cell per row.
        return try! Table(columns: columns)
    }

    /// The cells with the comma of "1,5" made a point, or nil when no cell has one. A cell that
    /// holds a point as well, or more than one comma, is left as it is (and so reads as text).
    static func decimalPoints(_ cells: [String]) -> [String]? {
        var changed = false
        let pointed = cells.map { cell -> String in
            let bytes = Array(cell.utf8)
            guard bytes.count(where: { $0 == UInt8(ascii: ",") }) == 1, !bytes.contains(UInt8(ascii: ".")) else { return cell }
            changed = true
            return String(decoding: bytes.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        }
        return changed ? pointed : nil
    }

    /// The kind the reader would choose for these cells.
    public static func inferKind(_ cells: [String], missing: [Bool]) -> ColumnKind {
        var integer = true, number = true, boolean = true, datetime = true
        var anyPresent = false
        for (cell, isMissing) in zip(cells, missing) where !isMissing {
            anyPresent = true
            if (integer || number) && hasSignificantLeadingZero(cell) { integer = false; number = false }
            if integer && parseInteger(cell) == nil { integer = false }
            if number && !integer && !isFiniteDecimal(cell) { number = false }
            if boolean && parseBoolean(cell) == nil { boolean = false }
            if datetime && DateTimeFormat.parse(cell) == nil { datetime = false }
            if !integer && !number && !boolean && !datetime { return .categorical }
        }
        guard anyPresent else { return .categorical }
        if integer { return .integer }
        if number { return .continuous }
        if boolean { return .boolean }
        if datetime { return .datetime }
        return .categorical
    }

    /// The cells as values of `kind`; `checked` when inference found every present cell to be of
    /// that kind (a continuous cell is then converted without scanning its syntax again).
    static func convert(_ cells: [String], missing: [Bool], kind: ColumnKind, checked: Bool = false,
                        fail: (Int, String) throws(CSVError) -> Never) throws(CSVError) -> ColumnValues {
        switch kind {
        case .integer:
            var out = [Int64](repeating: 0, count: cells.count)
            for i in cells.indices where !missing[i] {
                guard let value = parseInteger(cells[i], allowLeadingZero: true) else { try fail(i, cells[i]) }
                out[i] = value
            }
            return .integer(out)
        case .continuous:
            var out = [Double](repeating: 0, count: cells.count)
            for i in cells.indices where !missing[i] {
                guard let value = checked ? Double(cells[i]) : parseNumber(cells[i]) else { try fail(i, cells[i]) }
                out[i] = value
            }
            return .continuous(out)
        case .boolean:
            var out = [Bool](repeating: false, count: cells.count)
            for i in cells.indices where !missing[i] {
                guard let value = parseBoolean(cells[i]) else { try fail(i, cells[i]) }
                out[i] = value
            }
            return .boolean(out)
        case .datetime:
            var out = [Int64](repeating: 0, count: cells.count)
            for i in cells.indices where !missing[i] {
                guard let value = DateTimeFormat.parse(cells[i]) else { try fail(i, cells[i]) }
                out[i] = value
            }
            return .datetime(out)
        case .categorical:
            let levels = Set(cells.indices.lazy.filter { !missing[$0] }.map { cells[$0] }).sorted()
            let codeOf = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
            let codes = cells.indices.map { missing[$0] ? 0 : codeOf[cells[$0]]! }
            return .categorical(codes: codes, levels: levels)
        }
    }

    /// Optional sign and decimal digits that fit in Int64. Unless `allowLeadingZero`, "007" is not
    /// an integer (it is an identifier whose zeros matter).
    static func parseInteger(_ text: String, allowLeadingZero: Bool = false) -> Int64? {
        let utf8 = text.utf8
        guard let first = utf8.first else { return nil }
        let digits = (first == 43 || first == 45) ? utf8.dropFirst() : utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        if !allowLeadingZero, digits.count > 1, digits.first == 48 { return nil }
        return Int64(text)
    }

    /// "007" or "-012": digits whose leading zero matters, as in codes and identifiers.
    static func hasSignificantLeadingZero(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        if let sign = bytes.first, sign == 45 || sign == 43 { bytes = bytes.dropFirst() }
        guard bytes.first == 48, let second = bytes.dropFirst().first else { return false }
        return second >= 48 && second <= 57
    }

    /// A finite decimal number: [sign] digits [. digits] [e [sign] digits], or [sign] . digits.
    static func parseNumber(_ text: String) -> Double? {
        guard decimalSyntax(text) != nil, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// True when `text` reads as a finite decimal number (`parseNumber` would give one), without
    /// converting it unless it might overflow (an exponent, or hundreds of digits).
    static func isFiniteDecimal(_ text: String) -> Bool {
        guard let syntax = decimalSyntax(text) else { return false }
        if !syntax.exponent, syntax.length < 300 { return true }
        return Double(text).map(\.isFinite) ?? false
    }

    /// The syntax of a decimal number, in one pass over the UTF-8 bytes: nil when `text` is not
    /// one; else its length and whether it has an exponent.
    private static func decimalSyntax(_ text: String) -> (length: Int, exponent: Bool)? {
        withUTF8(text) { bytes in
            var sawDigit = false, sawDot = false, sawExponent = false, previous: UInt8 = 0
            for offset in 0..<bytes.count {
                let byte = bytes[offset]
                switch byte {
                case 48...57: sawDigit = true
                case 43, 45: guard offset == 0 || previous == 101 || previous == 69 else { return nil }
                case 46: guard !sawDot, !sawExponent else { return nil }; sawDot = true
                case 101, 69: guard sawDigit, !sawExponent else { return nil }; sawExponent = true
                default: return nil
                }
                previous = byte
            }
            guard sawDigit, !(previous == 101 || previous == 69 || previous == 43 || previous == 45) else { return nil }
            return (bytes.count, sawExponent)
        }
    }

    /// `body` over the UTF-8 bytes of `text`: in place for a native string, else from a copy.
    private static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    static func parseBoolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }
}
