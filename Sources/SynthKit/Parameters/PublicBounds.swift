import Foundation

/// The public range of numeric columns, given as a generator's `bounds` parameter:
/// `"age=0:120, capital-gain=0:100000"`. Under privacy a generator takes a column's range from
/// here instead of from its values' minimum and maximum (which the data would give away), and
/// clips the values to it.
public struct PublicBounds: Sendable, Equatable {
    public let ranges: [String: ClosedRange<Double>]

    public static let format = "NAME=LOW:HIGH, separated by commas, as in \"age=0:120, capital-gain=0:100000\""

    /// The `bounds` parameter, as each generator that takes it declares it.
    public static let parameter = ParameterSpec.string(
        "bounds", default: "",
        help: "Under privacy: the public range of numeric columns, NAME=LOW:HIGH separated by commas (\"age=0:120, capital-gain=0:100000\"); "
            + "values are clipped to it, and a column not named takes its range from the data.")

    public init(parsing text: String) throws {
        var ranges: [String: ClosedRange<Double>] = [:]
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            guard let equals = item.lastIndex(of: "=") else {
                throw PluginError.invalidArgument("bounds: '\(item)' is not NAME=LOW:HIGH; write \(Self.format)")
            }
            let name = item[..<equals].trimmingCharacters(in: .whitespaces)
            let range = item[item.index(after: equals)...].split(separator: ":", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard !name.isEmpty, range.count == 2, let low = Double(range[0]), let high = Double(range[1]), low.isFinite, high.isFinite else {
                throw PluginError.invalidArgument("bounds: '\(item)' is not NAME=LOW:HIGH with two numbers; write \(Self.format)")
            }
            guard low < high else { throw PluginError.invalidArgument("bounds: \(name) needs LOW below HIGH, got \(range[0]):\(range[1])") }
            guard ranges[name] == nil else { throw PluginError.invalidArgument("bounds: \(name) is given twice") }
            ranges[name] = low...high
        }
        self.ranges = ranges
    }

    public subscript(_ column: String) -> ClosedRange<Double>? { ranges[column] }

    /// Refuses bounds of a column the table lacks or that is not numeric; under privacy, warns of
    /// the numeric columns whose range is taken from the data instead (their minimum and maximum
    /// are then released as they are, outside the privacy guarantee); without privacy, warns that
    /// the bounds given are not used.
    public func check(_ table: Table, plugin: String, context: PluginContext) throws {
        for name in ranges.keys.sorted() {
            guard let column = table.column(named: name) else {
                throw PluginError.invalidArgument("bounds: no column '\(name)' (columns: \(table.columnNames.joined(separator: ", ")))")
            }
            guard column.kind.isNumeric else {
                throw PluginError.invalidArgument("bounds: column '\(name)' is \(column.kind.rawValue); bounds apply to numeric columns")
            }
        }
        if context.privacy == nil {
            if !ranges.isEmpty { context.log(.warning, "\(plugin): bounds: applies under privacy, and is not used without it") }
        } else {
            let unbounded = table.columns.filter { $0.kind.isNumeric && ranges[$0.name] == nil }.map(\.name)
            if !unbounded.isEmpty {
                context.log(.warning, "\(plugin): the range of \(unbounded.joined(separator: ", ")) is taken from the data, as public "
                            + "metadata outside the privacy guarantee; give bounds: to set it without looking at the data")
            }
        }
    }
}
