/// How to read a CSV file.
public struct CSVOptions: Sendable, Equatable {
    /// Cells equal to one of these (after trimming) are missing values.
    public var missingTokens: Set<String>
    /// Column kinds to use instead of the inferred ones.
    public var kindOverrides: [String: ColumnKind]
    /// Remove blanks around unquoted fields (adult.csv writes `, State-gov`).
    public var trimWhitespace: Bool
    /// The byte between fields; nil: found from the file's first lines (`CSVReader.detectDelimiter`).
    public var delimiter: UInt8?
    /// Numbers write their decimals after a comma ("1,5"): a column whose every present cell is
    /// a number once its comma is a point is read as numbers; other columns keep their text.
    public var decimalComma: Bool
    /// The threads that read a large table's columns (nil: one per processor, at most 8). The
    /// table is the same whatever the count.
    public var threads: Int? = nil
    /// The memory a read may take, in bytes (nil: the machine's); a file that would take more is
    /// refused before it is read (`MemoryNeeds`).
    public var memory: UInt64? = nil
    /// Dates written another way than ISO 8601 (`MM/DD/YYYY`): a column whose every present cell
    /// is one is read as datetimes, besides the ISO ones.
    public var dates: DatePattern? = nil
    /// Columns whose dates are written by a pattern of their own; each must be one.
    public var columnDates: [String: DatePattern] = [:]

    public static let defaultMissingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"]

    public init(missingTokens: Set<String> = CSVOptions.defaultMissingTokens,
                kindOverrides: [String: ColumnKind] = [:],
                trimWhitespace: Bool = true,
                delimiter: UInt8? = nil,
                decimalComma: Bool = false) {
        self.missingTokens = missingTokens
        self.kindOverrides = kindOverrides
        self.trimWhitespace = trimWhitespace
        self.delimiter = delimiter
        self.decimalComma = decimalComma
    }

    /// Whether a decimal mark a user names is a comma: "." false, "," true; nil for anything else.
    public static func decimalComma(named mark: String) -> Bool? {
        switch mark {
        case ".": false
        case ",": true
        default: nil
        }
    }

    /// The delimiter a user names: one ASCII character other than a quote or a line end, or
    /// "tab" (or a backslash and a t); nil for anything else.
    public static func delimiter(named name: String) -> UInt8? {
        if name == "tab" || name == "\\t" || name == "\t" { return 9 }
        guard name.utf8.count == 1, let byte = name.utf8.first, byte < 128,
              ![UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(byte) else { return nil }
        return byte
    }
}
