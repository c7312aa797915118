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
        let tokens = try CSVTokenizer(bytes: body, file: file, delimiter: options.delimiter ?? detectDelimiter(in: body),
                                      trimWhitespace: options.trimWhitespace).tokens()
        guard tokens.recordCount > 0 else { throw CSVError(file: file, line: 0, problem: .empty) }
        let cells = CSVCells(bytes: body, tokens: tokens)
        let headerLine = tokens.lines[0]
        let header = (0..<tokens.fieldCount(ofRecord: 0)).map { cells.string(tokens.spans[$0]) }
        var firstIndex: [String: Int] = [:]
        for (index, name) in header.enumerated() {
            if name.isEmpty {
                throw CSVError(file: file, line: headerLine, problem: .emptyColumnName(column: index + 1))
            }
            if let first = firstIndex[name] {
                throw CSVError(file: file, line: headerLine,
                               problem: .duplicateColumnName(name, first: first + 1, second: index + 1))
            }
            firstIndex[name] = index
        }
        for name in options.kindOverrides.keys.sorted() where firstIndex[name] == nil {
            throw CSVError(file: file, line: headerLine, problem: .unknownColumn(name, known: header))
        }
        let rowCount = tokens.recordCount - 1
        guard rowCount > 0 else { throw CSVError(file: file, line: headerLine, problem: .headerOnly) }
        for record in 1..<tokens.recordCount where tokens.fieldCount(ofRecord: record) != header.count {
            throw CSVError(file: file, line: tokens.lines[record],
                           problem: .raggedRow(found: tokens.fieldCount(ofRecord: record), expected: header.count))
        }

        let missingTokens = MissingTokens(options.missingTokens)
        var columns: [Column] = []
        columns.reserveCapacity(header.count)
        for (index, name) in header.enumerated() {
            // Row r's cell of this column (every record has header.count fields).
            let spans = (0..<rowCount).map { tokens.spans[header.count * ($0 + 1) + index] }
            let missing = spans.map { cells.withBytes($0, missingTokens.matches) }
            let fail = { (row: Int, value: String, kind: ColumnKind) throws(CSVError) -> Never in
                throw CSVError(file: file, line: tokens.lines[row + 1], problem: .badValue(column: name, value: value, kind: kind))
            }
            let values: ColumnValues
            if options.kindOverrides[name] == nil, !options.decimalComma {
                let column = cells.column(spans)
                let kind = inferKind(of: column, missing: missing)
                // Inference has checked every cell's syntax already.
                values = try convert(column, missing: missing, kind: kind, checked: true) { row, value throws(CSVError) in
                    try fail(row, value, kind)
                }
            } else {
                // A given kind, or a decimal comma: every cell as a string, through the checks
                // that say which cell does not read.
                var strings = spans.map(cells.string)
                let inferred = options.kindOverrides[name] == nil
                var kind = options.kindOverrides[name] ?? inferKind(strings, missing: missing)
                if options.decimalComma, kind == .categorical || !inferred, let pointed = decimalPoints(strings) {
                    let pointedKind = options.kindOverrides[name] ?? inferKind(pointed, missing: missing)
                    if pointedKind == .continuous || pointedKind == .integer {
                        strings = pointed
                        kind = pointedKind
                    }
                }
                // Inference has checked every cell's syntax already.
                values = try convert(strings, missing: missing, kind: kind, checked: inferred) { row, value throws(CSVError) in
                    try fail(row, value, kind)
                }
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
        inferKind(of: cells, missing: missing)
    }

    static func inferKind(of cells: some CSVCellSource, missing: [Bool]) -> ColumnKind {
        var integer = true, number = true, boolean = true, datetime = true
        var anyPresent = false
        for i in 0..<cells.cellCount where !missing[i] {
            anyPresent = true
            cells.withBytes(i) { cell in
                if (integer || number) && hasSignificantLeadingZero(cell) { integer = false; number = false }
                if integer && parseInteger(cell) == nil { integer = false }
                if number && !integer && !isFiniteDecimal(cell) { number = false }
                if boolean && parseBoolean(cell) == nil { boolean = false }
            }
            if datetime && DateTimeFormat.parse(cells.string(i)) == nil { datetime = false }
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
    static func convert(_ cells: some CSVCellSource, missing: [Bool], kind: ColumnKind, checked: Bool = false,
                        fail: (Int, String) throws(CSVError) -> Never) throws(CSVError) -> ColumnValues {
        let count = cells.cellCount
        switch kind {
        case .integer:
            var out = [Int64](repeating: 0, count: count)
            for i in 0..<count where !missing[i] {
                guard let value = cells.withBytes(i, { parseInteger($0, allowLeadingZero: true) }) else { try fail(i, cells.string(i)) }
                out[i] = value
            }
            return .integer(out)
        case .continuous:
            var out = [Double](repeating: 0, count: count)
            for i in 0..<count where !missing[i] {
                guard let value = cells.withBytes(i, { checked ? decimalValue($0) : parseNumber($0) }) else { try fail(i, cells.string(i)) }
                out[i] = value
            }
            return .continuous(out)
        case .boolean:
            var out = [Bool](repeating: false, count: count)
            for i in 0..<count where !missing[i] {
                guard let value = cells.withBytes(i, parseBoolean) else { try fail(i, cells.string(i)) }
                out[i] = value
            }
            return .boolean(out)
        case .datetime:
            var out = [Int64](repeating: 0, count: count)
            for i in 0..<count where !missing[i] {
                guard let value = DateTimeFormat.parse(cells.string(i)) else { try fail(i, cells.string(i)) }
                out[i] = value
            }
            return .datetime(out)
        case .categorical:
            return categories(cells, missing: missing)
        }
    }

    /// A categorical column: the levels sorted, each cell's code among them. Cells are told apart
    /// by their bytes first (a string is made once per distinct value, not per cell), then by
    /// string equality, under which two encodings of one character are one level.
    static func categories(_ cells: some CSVCellSource, missing: [Bool]) -> ColumnValues {
        let count = cells.cellCount
        // Open addressing over the distinct byte strings, each named by its first row.
        var slots = [Int32](repeating: -1, count: 64)
        var distinctRows: [Int] = [], distinctHashes: [UInt64] = []
        var provisional = [Int32](repeating: 0, count: count)
        for i in 0..<count where !missing[i] {
            let hash = cells.withBytes(i) { bytes in
                var h: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
                return h
            }
            var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
            while true {
                let id = Int(slots[slot])
                if id < 0 {
                    slots[slot] = Int32(distinctRows.count)
                    provisional[i] = Int32(distinctRows.count)
                    distinctRows.append(i)
                    distinctHashes.append(hash)
                    break
                }
                if distinctHashes[id] == hash, cells.sameBytes(distinctRows[id], i) {
                    provisional[i] = Int32(id)
                    break
                }
                slot = (slot + 1) & (slots.count - 1)
            }
            if distinctRows.count * 2 > slots.count {
                slots = [Int32](repeating: -1, count: slots.count * 4)
                for (id, h) in distinctHashes.enumerated() {
                    var slot = Int(truncatingIfNeeded: h) & (slots.count - 1)
                    while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
                    slots[slot] = Int32(id)
                }
            }
        }
        let texts = distinctRows.map(cells.string)
        var firstOfText: [String: Int] = [:]
        for (id, text) in texts.enumerated() where firstOfText[text] == nil { firstOfText[text] = id }
        let levels = firstOfText.keys.sorted()
        var codeOfText: [String: Int32] = [:]
        for (code, level) in levels.enumerated() { codeOfText[level] = Int32(code) }
        let code = texts.map { codeOfText[$0]! }
        var codes = [Int32](repeating: 0, count: count)
        for i in 0..<count where !missing[i] { codes[i] = code[Int(provisional[i])] }
        return .categorical(codes: codes, levels: levels)
    }

    /// Optional sign and decimal digits that fit in Int64. Unless `allowLeadingZero`, "007" is not
    /// an integer (it is an identifier whose zeros matter).
    static func parseInteger(_ text: String, allowLeadingZero: Bool = false) -> Int64? {
        withUTF8(text) { parseInteger($0, allowLeadingZero: allowLeadingZero) }
    }

    static func parseInteger(_ bytes: UnsafeBufferPointer<UInt8>, allowLeadingZero: Bool = false) -> Int64? {
        guard let first = bytes.first else { return nil }
        let negative = first == 45, from = (first == 43 || negative) ? 1 : 0
        guard from < bytes.count else { return nil }
        if !allowLeadingZero, bytes.count - from > 1, bytes[from] == 48 { return nil }
        var value: Int64 = 0
        for index in from..<bytes.count {
            let digit = bytes[index] &- 48
            guard digit <= 9 else { return nil }
            let (tens, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowedAgain) = negative ? tens.subtractingReportingOverflow(Int64(digit))
                                                   : tens.addingReportingOverflow(Int64(digit))
            guard !overflowed, !overflowedAgain else { return nil }
            value = next
        }
        return value
    }

    /// "007" or "-012": digits whose leading zero matters, as in codes and identifiers.
    static func hasSignificantLeadingZero(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let from = bytes.first == 45 || bytes.first == 43 ? 1 : 0
        guard from + 1 < bytes.count, bytes[from] == 48 else { return false }
        return bytes[from + 1] >= 48 && bytes[from + 1] <= 57
    }

    /// A finite decimal number: [sign] digits [. digits] [e [sign] digits], or [sign] . digits.
    static func parseNumber(_ text: String) -> Double? {
        withUTF8(text) { parseNumber($0) }
    }

    static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard decimalSyntax(bytes) != nil, let value = decimalValue(bytes), value.isFinite else { return nil }
        return value
    }

    /// True when `bytes` read as a finite decimal number (`parseNumber` would give one), without
    /// converting them unless they might overflow (an exponent, or hundreds of digits).
    static func isFiniteDecimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let syntax = decimalSyntax(bytes) else { return false }
        if !syntax.exponent, syntax.length < 300 { return true }
        return decimalValue(bytes).map(\.isFinite) ?? false
    }

    /// The syntax of a decimal number, in one pass over the UTF-8 bytes: nil when they are not
    /// one; else its length and whether it has an exponent.
    private static func decimalSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> (length: Int, exponent: Bool)? {
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

    /// The value of bytes of decimal syntax, rounded as `Double(String)` rounds it (C's strtod, in
    /// the C locale whatever the process's locale is); nil when strtod does not read them whole.
    static func decimalValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { text in
            for index in 0..<bytes.count { text[index] = CChar(bitPattern: bytes[index]) }
            text[bytes.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let previous = uselocale(cLocale)
            let value = strtod(text.baseAddress!, &end)
            uselocale(previous)
            return end == text.baseAddress! + bytes.count ? value : nil
        }
    }

    /// `body` over the UTF-8 bytes of `text`: in place for a native string, else from a copy.
    static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    /// "true" or "false", in any case.
    static func parseBoolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        func equals(_ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            for index in 0..<bytes.count where bytes[index] | 0x20 != word.utf8Start[index] { return false }
            return true
        }
        if equals("true") { return true }
        if equals("false") { return false }
        return nil
    }
}

/// The missing-value tokens, looked up by a cell's bytes.
struct MissingTokens {
    let tokens: Set<String>
    let ascii: [[UInt8]]
    let allASCII: Bool
    let longest: Int

    init(_ tokens: Set<String>) {
        self.tokens = tokens
        ascii = tokens.filter { $0.utf8.allSatisfy { $0 < 0x80 } }.map { Array($0.utf8) }
        allASCII = ascii.count == tokens.count
        longest = tokens.map(\.utf8.count).max() ?? -1
    }

    /// True when the cell equals a token as a string. An ASCII cell is compared byte by byte with
    /// the ASCII tokens, and one longer than every token is none; any other cell as a string,
    /// where another encoding of a character can equal a token's (U+212A, three bytes, is K), unless
    /// every token is ASCII and the cell is more than three bytes a character of the longest.
    func matches(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !allASCII || cell.count <= 3 * longest else { return false }
        if allASCII, cell.allSatisfy({ $0 < 0x80 }) {
            return cell.count <= longest && ascii.contains { $0.elementsEqual(cell) }
        }
        return tokens.contains(String(decoding: cell, as: UTF8.self))
    }
}

/// The C locale, in which strtod reads a point as the decimal mark.
nonisolated(unsafe) private let cLocale = newlocale(Int32(1) << LC_NUMERIC, "C", nil)

/// The cells of one column, as `CSVReader`'s inference and conversion read them.
protocol CSVCellSource {
    var cellCount: Int { get }
    /// `body` over the UTF-8 bytes of cell `index`.
    func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R
    /// Cell `index` as a string.
    func string(_ index: Int) -> String
    /// True when cells `a` and `b` hold the same bytes.
    func sameBytes(_ a: Int, _ b: Int) -> Bool
}

extension Array: CSVCellSource where Element == String {
    var cellCount: Int { count }
    func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { CSVReader.withUTF8(self[index], body) }
    func string(_ index: Int) -> String { self[index] }
    func sameBytes(_ a: Int, _ b: Int) -> Bool { self[a].utf8.elementsEqual(self[b].utf8) }
}

/// The fields of a tokenized CSV text, read in place.
struct CSVCells {
    let bytes: [UInt8]
    let tokens: CSVTokens

    func withBytes<R>(_ span: FieldSpan, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        (span.copied ? tokens.copies : bytes).withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[span.start..<span.start + Int(span.count)]))
        }
    }

    func string(_ span: FieldSpan) -> String {
        // The whole file was checked to be UTF-8 before tokenizing.
        withBytes(span) { String(decoding: $0, as: UTF8.self) }
    }

    /// One column's cells: `spans[row]`.
    func column(_ spans: [FieldSpan]) -> CSVColumnCells { CSVColumnCells(cells: self, spans: spans) }
}

struct CSVColumnCells: CSVCellSource {
    let cells: CSVCells
    let spans: [FieldSpan]

    var cellCount: Int { spans.count }
    func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { cells.withBytes(spans[index], body) }
    func string(_ index: Int) -> String { cells.string(spans[index]) }
    func sameBytes(_ a: Int, _ b: Int) -> Bool {
        cells.withBytes(spans[a]) { first in cells.withBytes(spans[b]) { second in first.elementsEqual(second) } }
    }
}
