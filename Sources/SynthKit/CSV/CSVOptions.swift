/// How to read a CSV file.
public struct CSVOptions: Sendable, Equatable {
    /// Cells equal to one of these (after trimming) are missing values.
    public var missingTokens: Set<String>
    /// Column kinds to use instead of the inferred ones.
    public var kindOverrides: [String: ColumnKind]
    /// Remove blanks around unquoted fields (adult.csv writes `, State-gov`).
    public var trimWhitespace: Bool
    public var delimiter: UInt8

    public static let defaultMissingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"]

    public init(missingTokens: Set<String> = CSVOptions.defaultMissingTokens,
                kindOverrides: [String: ColumnKind] = [:],
                trimWhitespace: Bool = true,
                delimiter: UInt8 = UInt8(ascii: ",")) {
        self.missingTokens = missingTokens
        self.kindOverrides = kindOverrides
        self.trimWhitespace = trimWhitespace
        self.delimiter = delimiter
    }
}
