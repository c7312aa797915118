import Foundation

/// The public categories of categorical columns, given as a generator's `categories` parameter:
/// `"sex=Female|Male, race=White|Black|Asian-Pac-Islander|Amer-Indian-Eskimo|Other"`. Under
/// privacy a generator learns such a column over these categories instead of the ones its values
/// hold (which would tell, say, that someone in the table is from a rare country): a category
/// listed but absent from the data can still be made, and a row whose category is not listed
/// counts as missing. A backslash writes a `,` or `|` inside a name or category, an `=` inside a
/// name, and a `\` itself.
public struct PublicCategories: Sendable, Equatable {
    public let levels: [String: [String]]

    public static let format = "NAME=CATEGORY|CATEGORY, separated by commas, as in \"sex=Female|Male, smoker=yes|no\""

    /// The `categories` parameter, as each generator that takes it declares it.
    public static let parameter = ParameterSpec.string(
        "categories", default: "",
        help: "Under privacy: the public categories of categorical columns, NAME=CATEGORY|CATEGORY separated by commas "
            + "(\"sex=Female|Male, smoker=yes|no\"); a row whose category is not listed counts as missing, and a column not named "
            + "takes its categories from the data.")

    public init(parsing text: String) throws {
        var levels: [String: [String]] = [:]
        for item in Self.split(text, at: ",") {
            let raw = item.trimmingCharacters(in: .whitespaces)
            guard !raw.isEmpty else { continue }
            // The name ends at the first `=`; a category may hold more (as "<=50K" does).
            var parts = Self.split(raw, at: "=")
            if parts.count > 2 { parts = [parts[0], parts[1...].joined(separator: "=")] }
            guard parts.count == 2 else {
                throw PluginError.invalidArgument("categories: '\(raw)' is not NAME=CATEGORY|CATEGORY; write \(Self.format)")
            }
            let name = Self.unescape(parts[0]).trimmingCharacters(in: .whitespaces)
            let list = Self.split(parts[1], at: "|").map { Self.unescape($0).trimmingCharacters(in: .whitespaces) }
            guard !name.isEmpty else {
                throw PluginError.invalidArgument("categories: '\(raw)' names no column; write \(Self.format)")
            }
            if let empty = list.firstIndex(of: "") {
                throw PluginError.invalidArgument("categories: \(name)'s category \(empty + 1) is empty; write \(Self.format)")
            }
            var seen = Set<String>()
            for level in list where !seen.insert(level).inserted {
                throw PluginError.invalidArgument("categories: \(name) lists '\(level)' twice")
            }
            guard levels[name] == nil else { throw PluginError.invalidArgument("categories: \(name) is given twice") }
            levels[name] = list
        }
        self.levels = levels
    }

    public subscript(_ column: String) -> [String]? { levels[column] }

    /// Refuses categories of a column the table lacks or that is not categorical. Under privacy,
    /// returns the table with each named column over its public categories (a row whose category
    /// is not listed made missing, and said in a warning to whoever runs the fit), and warns of
    /// the categorical columns whose categories are taken from the data instead; without
    /// privacy, returns the table as it is, and warns that the categories given are not used.
    public func apply(to table: Table, plugin: String, context: PluginContext) throws -> Table {
        for name in levels.keys.sorted() {
            guard let column = table.column(named: name) else {
                throw PluginError.invalidArgument("categories: no column '\(name)' (columns: \(table.columnNames.joined(separator: ", ")))")
            }
            guard column.kind == .categorical else {
                throw PluginError.invalidArgument("categories: column '\(name)' is \(column.kind.rawValue); categories apply to categorical "
                                                  + "columns" + (column.kind == .boolean ? " (a boolean column's are false and true)" : ""))
            }
        }
        guard context.privacy != nil else {
            if !levels.isEmpty { context.log(.warning, "\(plugin): categories: applies under privacy, and is not used without it") }
            return table
        }
        let fromData = table.columns.filter { $0.kind == .categorical && levels[$0.name] == nil }.map(\.name)
        if !fromData.isEmpty {
            context.log(.warning, "\(plugin): the categories of \(fromData.joined(separator: ", ")) are taken from the data, as public "
                        + "metadata outside the privacy guarantee; give categories: to set them without looking at the data")
        }
        var columns = table.columns
        for (index, column) in columns.enumerated() {
            guard let listed = levels[column.name], case .categorical(let codes, let own) = column.values else { continue }
            let position = Dictionary(uniqueKeysWithValues: listed.enumerated().map { ($1, Int32($0)) })
            let mapped = own.map { position[$0] }
            var newCodes = [Int32](repeating: 0, count: codes.count)
            var missing = [Bool](repeating: false, count: codes.count)
            var unlisted: [String: Int] = [:]
            for row in codes.indices {
                if column.isMissing(row) {
                    missing[row] = true
                } else if let code = mapped[Int(codes[row])] {
                    newCodes[row] = code
                } else {
                    missing[row] = true
                    unlisted[own[Int(codes[row])], default: 0] += 1
                }
            }
            if !unlisted.isEmpty {
                let named = unlisted.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5)
                    .map { "'\($0.key)' (\($0.value))" }.joined(separator: ", ")
                let rows = unlisted.values.reduce(0, +)
                context.log(.warning, "\(plugin): \(counted(rows, "row")) of \(column.name) hold categories that categories: does not list, "
                            + "and count as missing: \(named)\(unlisted.count > 5 ? ", …" : "")")
            }
            columns[index] = Column(name: column.name, values: .categorical(codes: newCodes, levels: listed), missing: missing)
        }
        return try Table(columns: columns)
    }

    /// `text` cut at each `separator` that no backslash escapes (the escapes are kept).
    private static func split(_ text: String, at separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    /// `text` with each backslash escape replaced by the character it escapes.
    private static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped || character != "\\" {
                out.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return out
    }
}
