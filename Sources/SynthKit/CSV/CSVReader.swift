import Foundation

/// Reads CSV files into `Table`s, inferring each column's kind unless told.
///
/// Inference looks at the present (non-missing) cells of a column: all integers → `integer`
/// (but not when a value has a leading zero, like a ZIP code), all numbers → `continuous`,
/// all `true`/`false` → `boolean`, all ISO 8601 dates or times → `datetime`, else `categorical`.
/// A column with no present cell is categorical.
public enum CSVReader {
    public static func read(path: String, options: CSVOptions = CSVOptions()) throws(CSVError) -> Table {
        try parse(bytes: try contents(of: path, memory: options.memory ?? MemoryNeeds.machine), file: path, options: options)
    }

    /// Every byte of `path` (`FileBytes.read`), its failure in CSVError's words.
    static func contents(of path: String, memory: UInt64) throws(CSVError) -> [UInt8] {
        do { return try FileBytes.read(path, text: true, limit: memory) } catch {
            if case .tooLarge(let size, let whole) = error {
                throw CSVError(file: path, line: 0, problem: .tooLarge(
                    "the file holds \(whole ? "" : "more than ")\(MemoryNeeds.shown(Double(size))) of text, more than this machine's "
                    + "\(MemoryNeeds.shown(Double(memory))) of memory; read a part of it (head -n, split -l)"))
            }
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

    /// Formats that are not CSV text, by their first bytes: what each is, and what to do.
    static let otherFormats: [(magic: [UInt8], format: String, advice: String)] = [
        ([0x50, 0x4B, 0x03, 0x04], "a ZIP archive (an Excel .xlsx workbook is one)", "save the sheet as CSV, or unzip the archive"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz-compressed", "decompress it (xz -d), or compress it with gzip, which load() reads"),
        (Array("BZh".utf8), "bzip2-compressed", "decompress it (bunzip2), or compress it with gzip, which load() reads"),
        ([0x28, 0xB5, 0x2F, 0xFD], "zstd-compressed", "decompress it (zstd -d), or compress it with gzip, which load() reads"),
        (Array("PAR1".utf8), "a Parquet file", "write it as CSV (pandas: pd.read_parquet(path).to_csv(out, index=False))"),
        (Array("SQLite format 3\0".utf8), "an SQLite database", "export a table as CSV (sqlite3 -csv -header FILE 'select * from TABLE')"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "an OLE2 document (an Excel .xls workbook is one)", "save the sheet as CSV"),
    ]

    /// Reads CSV text from its bytes; gzip data (`adult.csv.gz`) is decompressed first.
    public static func parse(bytes: [UInt8], file: String, options: CSVOptions = CSVOptions()) throws(CSVError) -> Table {
        if Gzip.isCompressed(bytes) {
            let text: [UInt8]
            let limit = Int(clamping: options.memory ?? MemoryNeeds.machine)
            do { text = try Gzip.decompress(bytes, limit: limit) } catch {
                if case .exceeds = error { throw CSVError(file: file, line: 0, problem: .tooLarge(error.reason)) }
                throw CSVError(file: file, line: 0, problem: .gzip(error.reason))
            }
            return try parse(bytes: text, file: file, options: options)
        }
        if let other = otherFormats.first(where: { bytes.starts(with: $0.magic) }) {
            throw CSVError(file: file, line: 0, problem: .otherFormat(other.format, advice: other.advice))
        }
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
        let delimiter = options.delimiter ?? detectDelimiter(in: body)
        let memory = options.memory ?? MemoryNeeds.machine
        let needed = body.withUnsafeBufferPointer { MemoryNeeds.csvReading($0, delimiter: delimiter) }
        if needed > Double(memory) {
            throw CSVError(file: file, line: 0, problem: .tooLarge(
                "reading its \(MemoryNeeds.shown(Double(body.count))) of text would take about \(MemoryNeeds.shown(needed)) (the text, "
                + "and 17 bytes for each field), more than this machine's \(MemoryNeeds.shown(Double(memory))) of memory; "
                + "read a part of it (head -n, split -l)"))
        }
        let tokens = try CSVTokenizer(bytes: body, file: file, delimiter: delimiter, trimWhitespace: options.trimWhitespace).tokens()
        guard tokens.recordCount > 0 else { throw CSVError(file: file, line: 0, problem: .empty) }
        // Dates of a pattern are read as text first, then as dates: a column forced to be dates
        // too, which the ISO reading would refuse.
        var textOptions = options
        var forced = Set(options.columnDates.keys)
        if options.dates != nil {
            for (name, kind) in options.kindOverrides where kind == .datetime { forced.insert(name) }
        }
        for name in forced { textOptions.kindOverrides[name] = .categorical }
        let read = try CSVCells.reading(body, tokens) { (cells) throws(CSVError) -> Table in
            try table(tokens, cells, file: file, options: textOptions)
        }
        guard options.dates != nil || !options.columnDates.isEmpty else { return read }
        if let unknown = options.columnDates.keys.sorted().first(where: { read.column(named: $0) == nil }) {
            throw CSVError(file: file, line: 1, problem: .unknownColumn(unknown, known: read.columnNames))
        }
        return try datesRead(read, forced: forced, options: options, file: file)
    }

    /// `table` with each categorical column whose every present value is a date of its pattern
    /// (its own, or `options.dates` for a column no kind was given for) turned into a datetime
    /// column; a column forced to be dates must be one, or its first other value is named.
    static func datesRead(_ table: Table, forced: Set<String>, options: CSVOptions, file: String) throws(CSVError) -> Table {
        var columns = table.columns
        for (position, column) in columns.enumerated() {
            guard case .categorical(let codes, let levels) = column.values,
                  let pattern = options.columnDates[column.name] ?? options.dates,
                  forced.contains(column.name) || options.kindOverrides[column.name] == nil else { continue }
            let held = column.heldLevels
            var moments = [Int64](repeating: 0, count: levels.count)
            var readsAll = !held.isEmpty
            for (index, level) in held {
                guard let moment = pattern.parse(level) else {
                    if forced.contains(column.name) {
                        throw CSVError(file: file, line: 0, problem: .badValue(column: column.name, value: level, kind: .datetime))
                    }
                    readsAll = false
                    break
                }
                moments[index] = moment
            }
            guard readsAll else { continue }
            let values = codes.enumerated().map { row, code in column.isMissing(row) ? 0 : moments[Int(code)] }
            columns[position] = Column(name: column.name, values: .datetime(values), missing: column.missing)
        }
        return try! Table(columns: columns) // the same names and row counts
    }

    /// The table of tokenized CSV text whose fields `cells` reads.
    private static func table(_ tokens: CSVTokens, _ cells: CSVCells, file: String, options: CSVOptions) throws(CSVError) -> Table {
        let headerLine = tokens.lines[0]
        let header = (0..<tokens.fieldCount(ofRecord: 0)).map { cells.string(record: 0, span: $0) }
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

        // The cells are read in blocks of rows, every column of a block in turn, so that the
        // block's bytes stay in the cache: the file is stored row by row, a column is read down.
        let width = header.count
        func withCell<R>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            cells.withBytes(record: row + 1, span: width * (row + 1) + column, body)
        }
        func cellString(_ row: Int, _ column: Int) -> String { withCell(row, column) { String(decoding: $0, as: UTF8.self) } }
        // A column of no given kind and no decimal comma is inferred and converted in place;
        // the others as strings, through the checks that say which cell does not read.
        let inPlace = header.map { options.kindOverrides[$0] == nil && !options.decimalComma }
        let reading = ColumnReading(cells: cells, width: width, rowCount: rowCount, inPlace: inPlace,
                                    missingTokens: MissingTokens(options.missingTokens))
        // Each group of columns is read on a thread of its own; a column's cells are read in the
        // same order whatever the groups, so the table is the same on one thread or many.
        let groups = ColumnReading.groups(width: width, rowCount: rowCount, threads: options.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var parts = ColumnReading.Part.readAll(groups, reading)
        // The first cell that does not read, in the order one thread would have met it.
        if let bad = parts.compactMap(\.failure).min(by: { ($0.block, $0.column) < ($1.block, $1.column) }) {
            throw CSVError(file: file, line: tokens.lines[bad.row + 1],
                           problem: .badValue(column: header[bad.column], value: cellString(bad.row, bad.column), kind: bad.kind))
        }
        var missing: [[Bool]] = [], builders: [ColumnBuilder?] = []
        for part in parts {
            missing += part.missing
            builders += part.builders
        }
        parts = []   // the builders are held once, so that their arrays are not copied
        var columns: [Column] = []
        columns.reserveCapacity(width)
        for (index, name) in header.enumerated() {
            let values: ColumnValues
            if var builder = builders[index] {
                builders[index] = nil   // the builder's arrays become the column's, not copies
                values = builder.takeValues(missing: missing[index])
            } else {
                var strings = (0..<rowCount).map { cellString($0, index) }
                let inferred = options.kindOverrides[name] == nil
                var kind = options.kindOverrides[name] ?? inferKind(strings, missing: missing[index])
                if options.decimalComma, kind == .categorical || !inferred, let pointed = decimalPoints(strings) {
                    let pointedKind = options.kindOverrides[name] ?? inferKind(pointed, missing: missing[index])
                    if pointedKind == .continuous || pointedKind == .integer {
                        strings = pointed
                        kind = pointedKind
                    }
                }
                // Inference has checked every cell's syntax already.
                values = try convert(strings, missing: missing[index], kind: kind, checked: inferred) { row, value throws(CSVError) in
                    throw CSVError(file: file, line: tokens.lines[row + 1], problem: .badValue(column: name, value: value, kind: kind))
                }
            }
            columns.append(Column(name: name, values: values, missing: missing[index]))
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
        var inference = KindInference()
        for (cell, isMissing) in zip(cells, missing) where !isMissing {
            _ = withUTF8(cell) { inference.observe($0) }
            if inference.settled { break }
        }
        return inference.kind
    }

    /// The cells as values of `kind`; `checked` when inference found every present cell to be of
    /// that kind (a continuous cell is then converted without scanning its syntax again).
    static func convert(_ cells: [String], missing: [Bool], kind: ColumnKind, checked: Bool = false,
                        fail: (Int, String) throws(CSVError) -> Never) throws(CSVError) -> ColumnValues {
        var builder = ColumnBuilder(kind: kind, rows: cells.count)
        for i in cells.indices where !missing[i] {
            guard withUTF8(cells[i], { builder.set(i, $0, checked: checked) }) else { try fail(i, cells[i]) }
        }
        return builder.takeValues(missing: missing)
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
        // A value from the fast paths is of decimal syntax: they read nothing else.
        if let value = exactDecimalValue(bytes) { return value.isFinite ? value : nil }
        guard isDecimalSyntax(bytes), let value = strtodValue(bytes), value.isFinite else { return nil }
        return value
    }

    /// Whether the UTF-8 bytes are of a decimal number's syntax, in one pass over them.
    private static func isDecimalSyntax(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var sawDigit = false, sawDot = false, sawExponent = false, previous: UInt8 = 0
        for offset in 0..<bytes.count {
            let byte = bytes[offset]
            switch byte {
            case 48...57: sawDigit = true
            case 43, 45: guard offset == 0 || previous == 101 || previous == 69 else { return false }
            case 46: guard !sawDot, !sawExponent else { return false }; sawDot = true
            case 101, 69: guard sawDigit, !sawExponent else { return false }; sawExponent = true
            default: return false
            }
            previous = byte
        }
        return sawDigit && !(previous == 101 || previous == 69 || previous == 43 || previous == 45)
    }

    /// The value of bytes of decimal syntax, rounded as `Double(String)` rounds it (C's strtod, in
    /// the C locale whatever the process's locale is); nil when strtod does not read them whole.
    static func decimalValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        exactDecimalValue(bytes) ?? strtodValue(bytes)
    }

    /// The bytes read by strtod in the C locale; nil when it does not read them whole.
    private static func strtodValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
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

    /// A number of at most 19 significant digits, w × 10^k, as strtod reads it. Clinger's fast
    /// path where w ≤ 2^53 and k is within ±22: w × 10^k or w / 10^-k, one correctly rounded
    /// operation on two exact doubles. Else the Eisel–Lemire algorithm (`EiselLemire`). Nil for
    /// any other number, and where Eisel–Lemire cannot decide (strtod reads them).
    static func exactDecimalValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var index = 0, negative = false
        if index < bytes.count, bytes[index] == 45 || bytes[index] == 43 {
            negative = bytes[index] == 45
            index += 1
        }
        var mantissa: UInt64 = 0, digits = 0, scale = 0, sawDot = false, sawDigit = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 46 {
                guard !sawDot else { return nil }
                sawDot = true
            } else {
                let digit = byte &- 48
                guard digit <= 9 else { break }
                sawDigit = true
                // Leading zeros count only as places after the point.
                if mantissa != 0 || digit != 0 {
                    guard digits < 19 else { return nil }
                    mantissa = mantissa &* 10 &+ UInt64(digit)   // 19 digits fit in 64 bits
                    digits &+= 1
                }
                if sawDot { scale &-= 1 }
            }
            index += 1
        }
        guard sawDigit else { return nil }
        if index < bytes.count {
            guard bytes[index] == 101 || bytes[index] == 69 else { return nil }
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == 45 || bytes[index] == 43 {
                exponentNegative = bytes[index] == 45
                index += 1
            }
            guard index < bytes.count else { return nil }
            var exponent = 0
            while index < bytes.count {
                let digit = bytes[index] &- 48
                guard digit <= 9, exponent < 100_000 else { return nil }
                exponent = exponent * 10 + Int(digit)
                index += 1
            }
            scale += exponentNegative ? -exponent : exponent
        }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        let value: Double
        if mantissa <= 1 << 53, (-22...22).contains(scale) {
            value = scale < 0 ? Double(mantissa) / exactPowerOfTen(-scale) : Double(mantissa) * exactPowerOfTen(scale)
        } else {
            // 17 digits, as a double is written in full, and more: Eisel–Lemire, else strtod.
            guard let computed = EiselLemire.value(mantissa, scale) else { return nil }
            value = computed
        }
        return negative ? -value : value
    }

    /// 10^k for 0 ≤ k ≤ 22, each a double exactly (a switch, not an array: no reference counting
    /// on the hot path).
    private static func exactPowerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
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
    /// The ASCII tokens of each length in bytes, up to the longest token's.
    let ascii: [[[UInt8]]]
    let allASCII: Bool
    let longest: Int

    init(_ tokens: Set<String>) {
        self.tokens = tokens
        longest = tokens.map(\.utf8.count).max() ?? -1
        var ascii = [[[UInt8]]](repeating: [], count: max(longest + 1, 0))
        for token in tokens where token.utf8.allSatisfy({ $0 < 0x80 }) { ascii[token.utf8.count].append(Array(token.utf8)) }
        self.ascii = ascii
        allASCII = ascii.map(\.count).reduce(0, +) == tokens.count
    }

    /// True when the cell equals a token as a string. An ASCII cell is compared byte by byte with
    /// the ASCII tokens, and one longer than every token is none; any other cell as a string,
    /// where another encoding of a character can equal a token's (U+212A, three bytes, is K), unless
    /// every token is ASCII and the cell is more than three bytes a character of the longest.
    func matches(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !allASCII || cell.count <= 3 * longest else { return false }
        if allASCII, cell.allSatisfy({ $0 < 0x80 }) {
            guard cell.count <= longest else { return false }
            return ascii[cell.count].contains { token in
                for index in 0..<token.count where token[index] != cell[index] { return false }
                return true
            }
        }
        return tokens.contains(String(decoding: cell, as: UTF8.self))
    }
}

/// The kinds that the present cells of a column seen so far allow, as `CSVReader.inferKind`
/// chooses among them.
struct KindInference {
    var integer = true, number = true, boolean = true, datetime = true
    var anyPresent = false

    /// True when no kind but categorical is left.
    var settled: Bool { !integer && !number && !boolean && !datetime }

    /// Narrows the kinds by one present cell; returns its value as an integer while the column
    /// may be of integers, or as a number once it may only be of numbers.
    @discardableResult
    mutating func observe(_ cell: UnsafeBufferPointer<UInt8>) -> (integer: Int64?, number: Double?) {
        anyPresent = true
        guard !settled else { return (nil, nil) }
        var read: (integer: Int64?, number: Double?) = (nil, nil)
        if (integer || number) && CSVReader.hasSignificantLeadingZero(cell) { integer = false; number = false }
        if integer {
            read.integer = CSVReader.parseInteger(cell)
            if read.integer == nil { integer = false }
        }
        if number && !integer {
            read.number = CSVReader.parseNumber(cell)
            if read.number == nil { number = false }
        }
        if boolean && CSVReader.parseBoolean(cell) == nil { boolean = false }
        if datetime && DateTimeFormat.parse(String(decoding: cell, as: UTF8.self)) == nil { datetime = false }
        return read
    }

    var kind: ColumnKind {
        guard anyPresent else { return .categorical }
        if integer { return .integer }
        if number { return .continuous }
        if boolean { return .boolean }
        if datetime { return .datetime }
        return .categorical
    }
}

/// A column's values of one kind, set cell by cell in any order of rows.
struct ColumnBuilder {
    let kind: ColumnKind
    private var integers: [Int64] = []
    private var numbers: [Double] = []
    private var booleans: [Bool] = []
    private var categories = CategoryTable(rows: 0)

    init(kind: ColumnKind, rows: Int) {
        self.kind = kind
        switch kind {
        case .integer, .datetime: integers = [Int64](repeating: 0, count: rows)
        case .continuous: numbers = [Double](repeating: 0, count: rows)
        case .boolean: booleans = [Bool](repeating: false, count: rows)
        case .categorical: categories = CategoryTable(rows: rows)
        }
    }

    /// A column of integers or numbers whose values are already read.
    init(integers: [Int64]) {
        kind = .integer
        self.integers = integers
    }

    init(numbers: [Double]) {
        kind = .continuous
        self.numbers = numbers
    }

    /// Sets the value of `row` from its cell; false when the cell does not read as the kind.
    /// `checked`: the cell's syntax is known good (a number is converted without scanning it).
    mutating func set(_ row: Int, _ cell: UnsafeBufferPointer<UInt8>, checked: Bool) -> Bool {
        switch kind {
        case .integer:
            guard let value = CSVReader.parseInteger(cell, allowLeadingZero: true) else { return false }
            integers[row] = value
        case .continuous:
            guard let value = checked ? CSVReader.decimalValue(cell) : CSVReader.parseNumber(cell) else { return false }
            numbers[row] = value
        case .boolean:
            guard let value = CSVReader.parseBoolean(cell) else { return false }
            booleans[row] = value
        case .datetime:
            guard let value = DateTimeFormat.parse(String(decoding: cell, as: UTF8.self)) else { return false }
            integers[row] = value
        case .categorical:
            categories.set(row, cell)
        }
        return true
    }

    /// The column's values; a categorical column's codes take the place of its cells' first
    /// sightings, so the builder is spent.
    mutating func takeValues(missing: [Bool]) -> ColumnValues {
        switch kind {
        case .integer: .integer(integers)
        case .continuous: .continuous(numbers)
        case .boolean: .boolean(booleans)
        case .datetime: .datetime(integers)
        case .categorical: categories.takeValues(missing: missing)
        }
    }
}

/// The levels of a categorical column and each cell's code among them. Cells are told apart by
/// their bytes first (each distinct value's bytes kept once, a string made once per distinct
/// value, not per cell), then by string equality, under which two encodings of one character
/// are one level.
struct CategoryTable {
    /// Open addressing over the distinct byte strings: each slot holds a distinct value's index.
    private var slots = [Int32](repeating: -1, count: 64)
    private var keyBytes: [UInt8] = []
    private var keyStarts: [Int] = [0]
    private var keyHashes: [UInt64] = []
    /// Each row's distinct value (in order of first sight).
    private var provisional: [Int32]

    init(rows: Int) { provisional = [Int32](repeating: 0, count: rows) }

    mutating func set(_ row: Int, _ cell: UnsafeBufferPointer<UInt8>) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a
        for byte in cell { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var slot = Int(truncatingIfNeeded: hash) & (slots.count - 1)
        while true {
            let id = Int(slots[slot])
            if id < 0 {
                slots[slot] = Int32(keyHashes.count)
                provisional[row] = Int32(keyHashes.count)
                keyHashes.append(hash)
                keyBytes.append(contentsOf: cell)
                keyStarts.append(keyBytes.count)
                break
            }
            if keyHashes[id] == hash, keyBytes[keyStarts[id]..<keyStarts[id + 1]].elementsEqual(cell) {
                provisional[row] = Int32(id)
                break
            }
            slot = (slot + 1) & (slots.count - 1)
        }
        if keyHashes.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 4)
            for (id, h) in keyHashes.enumerated() {
                var slot = Int(truncatingIfNeeded: h) & (slots.count - 1)
                while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
                slots[slot] = Int32(id)
            }
        }
    }

    /// The levels, sorted, and each row's code among them (0 where the row is missing), written
    /// over the rows' first sightings: the table is spent.
    mutating func takeValues(missing: [Bool]) -> ColumnValues {
        let texts = keyHashes.indices.map { String(decoding: keyBytes[keyStarts[$0]..<keyStarts[$0 + 1]], as: UTF8.self) }
        var seen = Set<String>()
        let levels = texts.filter { seen.insert($0).inserted }.sorted()
        var codeOfText: [String: Int32] = [:]
        for (code, level) in levels.enumerated() { codeOfText[level] = Int32(code) }
        let code = texts.map { codeOfText[$0]! }
        var codes = provisional
        provisional = []
        for row in codes.indices { codes[row] = missing[row] ? 0 : code[Int(codes[row])] }
        return .categorical(codes: codes, levels: levels)
    }
}

/// How the cells of a table's columns are read: in blocks of rows, first each cell's missing flag
/// and the kinds its column allows, then the value of each present cell of a column read in
/// place. A group of columns is read on a thread of its own (`Part`).
struct ColumnReading: @unchecked Sendable {   // read-only views of bytes that outlive the threads
    let cells: CSVCells
    let width: Int
    let rowCount: Int
    let inPlace: [Bool]
    let missingTokens: MissingTokens
    static let block = 2048

    /// Contiguous groups of columns, one per thread: one group for a small table (fewer than
    /// 2^18 cells), else as many as there are processors (at most 8) or columns.
    static func groups(width: Int, rowCount: Int, threads: Int) -> [Range<Int>] {
        let count = width * rowCount < 1 << 18 ? 1 : max(1, min(threads, width, 8))
        return (0..<count).map { group in (group * width / count)..<((group + 1) * width / count) }
    }

    /// What reading one group of columns gave.
    struct Part: @unchecked Sendable {
        let columns: Range<Int>
        var missing: [[Bool]] = []
        var builders: [ColumnBuilder?] = []
        /// The first cell that did not read as its column's kind, in the order of blocks, then
        /// columns, then rows, and that kind.
        var failure: (block: Int, column: Int, row: Int, kind: ColumnKind)?

        init(_ columns: Range<Int>, _ reading: ColumnReading) {
            self.columns = columns
            let rows = reading.rowCount
            func withCell<R>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
                reading.cells.withBytes(record: row + 1, span: reading.width * (row + 1) + column, body)
            }
            var missing = [[Bool]](repeating: [Bool](repeating: false, count: rows), count: columns.count)
            var inference = [KindInference](repeating: KindInference(), count: columns.count)
            // Inference reads each value it checks: a column's integers while it may be one of
            // integers, and its numbers from the first cell that is not an integer on.
            var integers = [[Int64]](repeating: [], count: columns.count)
            var numbers = [[Double]](repeating: [], count: columns.count)
            var numbersFrom = [Int](repeating: -1, count: columns.count)
            for first in stride(from: 0, to: rows, by: ColumnReading.block) {
                let block = first..<min(first + ColumnReading.block, rows)
                for (local, column) in columns.enumerated() {
                    let inPlace = reading.inPlace[column]
                    for row in block {
                        withCell(row, column) { bytes in
                            let isMissing = reading.missingTokens.matches(bytes)
                            missing[local][row] = isMissing
                            guard inPlace, !isMissing else { return }
                            let read = inference[local].observe(bytes)
                            if let value = read.integer {
                                if integers[local].isEmpty { integers[local] = [Int64](repeating: 0, count: rows) }
                                integers[local][row] = value
                            } else if let value = read.number {
                                if numbersFrom[local] < 0 {
                                    numbersFrom[local] = row
                                    numbers[local] = [Double](repeating: 0, count: rows)
                                    integers[local] = []
                                }
                                numbers[local][row] = value
                            }
                        }
                    }
                }
            }
            // Read already: integers, and numbers but for the integers before the first number.
            var read = [Bool](repeating: false, count: columns.count)
            var builders: [ColumnBuilder?] = columns.enumerated().map { local, column in
                guard reading.inPlace[column] else { return nil }
                switch inference[local].kind {
                case .integer where !integers[local].isEmpty:
                    read[local] = true
                    return ColumnBuilder(integers: integers[local])
                case .continuous where numbersFrom[local] >= 0:
                    // The rows before the first number were read as integers: as numbers now.
                    for row in 0..<numbersFrom[local] where !missing[local][row] {
                        guard let value = withCell(row, column, { CSVReader.decimalValue($0) }) else {
                            return ColumnBuilder(kind: .continuous, rows: rows)   // read below, cell by cell
                        }
                        numbers[local][row] = value
                    }
                    read[local] = true
                    return ColumnBuilder(numbers: numbers[local])
                default:
                    return ColumnBuilder(kind: inference[local].kind, rows: rows)
                }
            }
            integers = []
            numbers = []
            blocks: for first in stride(from: 0, to: rows, by: ColumnReading.block) {
                let block = first..<min(first + ColumnReading.block, rows)
                for (local, column) in columns.enumerated() where reading.inPlace[column] && !read[local] {
                    for row in block where !missing[local][row] {
                        // Inference has checked every cell's syntax already.
                        if !withCell(row, column, { builders[local]!.set(row, $0, checked: true) }) {
                            failure = (first / ColumnReading.block, column, row, builders[local]!.kind)
                            break blocks
                        }
                    }
                }
            }
            self.missing = missing
            self.builders = builders
        }

        /// Every group read, each on a thread of its own when there are several, in the groups' order.
        static func readAll(_ groups: [Range<Int>], _ reading: ColumnReading) -> [Part] {
            guard groups.count > 1 else { return groups.map { Part($0, reading) } }
            let parts = UnsafeMutableBufferPointer<Part?>.allocate(capacity: groups.count)
            parts.initialize(repeating: nil)
            defer { parts.deinitialize(); parts.deallocate() }
            let slots = UncheckedSlots(parts: parts)
            DispatchQueue.concurrentPerform(iterations: groups.count) { index in
                slots.parts[index] = Part(groups[index], reading)
            }
            return parts.map { $0! }
        }
    }

    /// Each thread writes its own slot.
    private struct UncheckedSlots: @unchecked Sendable {
        let parts: UnsafeMutableBufferPointer<Part?>
    }
}

/// The C locale, in which strtod reads a point as the decimal mark.
nonisolated(unsafe) private let cLocale = newlocale(Int32(1) << LC_NUMERIC, "C", nil)

/// The fields of a tokenized CSV text, read in place.
struct CSVCells {
    /// The file's bytes, the tokenizer's copies and its spans, held by `reading` while the cells
    /// are read.
    let bytes: UnsafeBufferPointer<UInt8>
    let copies: UnsafeBufferPointer<UInt8>
    let spans: UnsafeBufferPointer<FieldSpan>
    let bases: UnsafeBufferPointer<RecordBase>

    /// `body` over the cells of `tokens`, tokenized from `bytes`.
    static func reading<R>(_ bytes: [UInt8], _ tokens: CSVTokens, _ body: (CSVCells) throws(CSVError) -> R) throws(CSVError) -> R {
        try bytes.withUnsafeBufferPointer { (bytes) throws(CSVError) -> R in
            try tokens.copies.withUnsafeBufferPointer { (copies) throws(CSVError) -> R in
                try tokens.spans.withUnsafeBufferPointer { (spans) throws(CSVError) -> R in
                    try tokens.bases.withUnsafeBufferPointer { (bases) throws(CSVError) -> R in
                        try body(CSVCells(bytes: bytes, copies: copies, spans: spans, bases: bases))
                    }
                }
            }
        }
    }

    /// `body` over the bytes of field `span` (an index of `CSVTokens.spans`) of `record`.
    func withBytes<R>(record: Int, span: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let field = spans[span]
        let start = (field.copied ? bases[record].copies : bases[record].bytes) + Int(field.offset)
        return body(UnsafeBufferPointer(rebasing: (field.copied ? copies : bytes)[start..<start + field.count]))
    }

    func string(record: Int, span: Int) -> String {
        // The whole file was checked to be UTF-8 before tokenizing.
        withBytes(record: record, span: span) { String(decoding: $0, as: UTF8.self) }
    }
}

extension CSVReader {
    /// The categorical columns of `table` that would be numbers with a decimal comma: every value
    /// an integer or digits, a comma and digits (`1,5`, `-10,25`), at least one with the comma.
    /// A table read with the decimal point keeps them as text; `decimal: ","` reads them as numbers.
    public static func decimalCommaColumns(_ table: Table) -> [String] {
        table.columns.compactMap { column in
            guard case .categorical = column.values else { return nil }
            var comma = false
            for (_, level) in column.heldLevels {
                var bytes = Substring(level).utf8[...]
                if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
                let parts = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (48...57).contains($0) } }) else { return nil }
                if parts.count == 2 { comma = true }
            }
            return comma ? column.name : nil
        }
    }
}

extension CSVReader {
    /// The categorical columns of `table` whose every present value is a day written as
    /// D/M/YYYY, M/D/YYYY or YYYY/M/D (with `/`, `.` or another mark, and maybe a time HH:mm or
    /// HH:mm:SS after a blank), each with the patterns (`DatePattern`) that read all of them: one
    /// when the year comes first or a day past the 12th tells the order, both when none does.
    /// (YYYY-MM-DD itself is read as dates without a pattern.)
    public static func datePatternGuesses(_ table: Table) -> [(column: String, patterns: [String])] {
        table.columns.compactMap { column in
            guard case .categorical = column.values else { return nil }
            var separator: Character?
            var time: String?
            var firstOver12 = false, secondOver12 = false
            var yearFirst: Bool?
            for (_, level) in column.heldLevels {
                let parts = level.split(separator: " ", maxSplits: 1)
                let day = parts[0]
                guard let mark = day.first(where: { !$0.isNumber }), separator == nil || separator == mark else { return nil }
                separator = mark
                var fields = day.split(separator: mark, omittingEmptySubsequences: false)
                guard fields.count == 3, fields.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
                // The year first (2019/03/23) is read as year, month, day; the day and month
                // otherwise come first, in an order the values may tell.
                let leadingYear = fields[0].count == 4
                guard yearFirst == nil || yearFirst == leadingYear else { return nil }
                yearFirst = leadingYear
                if leadingYear { fields = [fields[2], fields[1], fields[0]] }
                guard fields[2].count == 4, (1...2).contains(fields[0].count), (1...2).contains(fields[1].count),
                      let first = Int(fields[0]), let second = Int(fields[1]), (1...31).contains(first), (1...31).contains(second),
                      !leadingYear || second <= 12 else { return nil }
                firstOver12 = firstOver12 || first > 12
                secondOver12 = secondOver12 || second > 12
                let clock = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false) : []
                guard clock.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
                let shape = clock.isEmpty ? "" : clock.count == 2 ? " HH:mm" : clock.count == 3 ? " HH:mm:SS" : nil
                guard let shape, time == nil || time == shape else { return nil }
                time = shape
            }
            guard let separator, !(firstOver12 && secondOver12) else { return nil }
            let s = String(separator), t = time ?? ""
            if yearFirst == true { return (column.name, ["YYYY\(s)MM\(s)DD\(t)"]) }
            let dayFirst = "DD\(s)MM\(s)YYYY\(t)", monthFirst = "MM\(s)DD\(s)YYYY\(t)"
            return (column.name, firstOver12 ? [dayFirst] : secondOver12 ? [monthFirst] : [monthFirst, dayFirst])
        }
    }
}

/// What a table read as text may be instead: dates of another pattern, numbers with a decimal
/// comma. Each surface words the option that reads it (`load(dates:)`, `--dates`).
public enum ReadingNote: Equatable, Sendable {
    case dates(column: String, patterns: [String])
    case decimalComma(columns: [String])
    /// Numbers beside infinities (`inf`, `-Infinity`), which no kind of column holds.
    case infinities(columns: [String], tokens: [String])

    /// The notes of a table read with `options`: columns whose kind was given are left alone, and
    /// so are decimal commas when the comma was asked for.
    public static func of(_ table: Table, options: CSVOptions) -> [ReadingNote] {
        var notes = CSVReader.datePatternGuesses(table).filter { options.kindOverrides[$0.column] == nil }
            .map { ReadingNote.dates(column: $0.column, patterns: $0.patterns) }
        if !options.decimalComma {
            let commas = CSVReader.decimalCommaColumns(table).filter { options.kindOverrides[$0] == nil }
            if !commas.isEmpty { notes.append(.decimalComma(columns: commas)) }
        }
        let infinite = infinityColumns(table).filter { options.kindOverrides[$0.column] == nil }
        if !infinite.isEmpty {
            notes.append(.infinities(columns: infinite.map(\.column), tokens: Array(Set(infinite.flatMap(\.tokens))).sorted()))
        }
        return notes
    }

    /// Categorical columns whose values are all numbers or infinities, with some of each, and
    /// the infinities' tokens.
    static func infinityColumns(_ table: Table) -> [(column: String, tokens: [String])] {
        table.columns.compactMap { column in
            guard case .categorical = column.values else { return nil }
            var tokens: [String] = [], finite = false
            for (_, level) in column.heldLevels {
                guard let value = Double(level) else { return nil }
                if value.isInfinite { tokens.append(level) } else if value.isNaN { return nil } else { finite = true }
            }
            return finite && !tokens.isEmpty ? (column.name, tokens.sorted()) : nil
        }
    }

    /// The note with the command line's option to add.
    public var commandLine: String {
        switch self {
        case .dates(let column, let patterns):
            "\(column) holds dates written as \(patterns.joined(separator: " or ")), read as categories; "
                + patterns.map { "--dates '\($0)'" }.joined(separator: " or ") + " reads them as dates"
        case .decimalComma(let columns):
            "\(columns.joined(separator: ", ")) \(columns.count == 1 ? "holds" : "hold") numbers written with a decimal comma (1,5), "
                + "read as categories; --decimal ',' reads them as numbers"
        case .infinities(let columns, let tokens):
            "\(columns.joined(separator: ", ")) \(columns.count == 1 ? "holds" : "hold") numbers and infinities (\(tokens.joined(separator: ", "))), "
                // `=` keeps a token that starts with '-' a value.
                + "read as categories; " + tokens.map { "--also-missing='\($0)'" }.joined(separator: " ")
                + " reads the infinities as missing and the rest as numbers"
        }
    }
}
