/// What a generator may know of a table under privacy without looking at its rows: its numeric
/// columns' ranges (`bounds`) and its categorical columns' categories (`categories`). A generator
/// declares `PublicBounds.parameter` and `PublicCategories.parameter`, reads both with
/// `init(_:)`, and fits on the table `apply(to:plugin:context:)` returns.
public struct PublicMetadata: Sendable, Equatable {
    public let bounds: PublicBounds
    public let categories: PublicCategories

    public init(_ parameters: Parameters) throws {
        bounds = try PublicBounds(parsing: parameters.string("bounds"))
        categories = try PublicCategories(parsing: parameters.string("categories"))
    }

    /// Checks both against `table` (`PublicBounds.check`) and returns the table with each listed
    /// column over its public categories (`PublicCategories.apply`), with their warnings.
    public func apply(to table: Table, plugin: String, context: PluginContext) throws -> Table {
        try bounds.check(table, plugin: plugin, context: context)
        return try categories.apply(to: table, plugin: plugin, context: context)
    }
}
