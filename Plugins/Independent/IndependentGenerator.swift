import SynthKit
import SynthMath

/// Every column drawn on its own from its marginal distribution: the floor every other generator
/// must beat. Numeric columns follow their empirical distribution with linear interpolation
/// between order statistics (or a histogram), categorical and boolean columns their frequencies,
/// and every column keeps its missing-value rate, its kind and its precision.
///
/// With a privacy mechanism composed, every statistic comes from one noisy histogram per column
/// (the missing cells being one more cell), asked through the *statistics* capability. Numeric
/// ranges and category levels are public metadata, as in most DP synthesizers: given with `bounds`
/// and `categories`, or else taken from the data, with a warning.
public struct IndependentGenerator: PersistentGenerator {
    public static let descriptor = PluginDescriptor(
        id: "independent",
        name: "Independent marginals",
        version: "1.2.0",
        kind: .generator,
        summary: "Samples every column independently from its own marginal distribution (the baseline).",
        parameters: [
            .choice("numeric_model", ["empirical", "histogram"], default: "empirical",
                    help: "How numeric columns are modelled: interpolated empirical quantiles, or a histogram (always a histogram under privacy)."),
            .int("bins", default: 32, min: 2, max: 100_000,
                 help: "Histogram bins per numeric column (an integer or datetime column with at most max(bins, 256) values in its range gets one bin per value; otherwise each end of the range gets a bin of its own)."),
            .bool("keep_missing", default: true, help: "Reproduce each column's rate of missing values."),
            PublicBounds.parameter,
            PublicCategories.parameter,
        ],
        capabilities: [Capability.privacyStatistics],
        savesModels: true)

    private let histogramOnly: Bool
    private let bins: Int
    private let keepMissing: Bool
    /// Under privacy, the public ranges and categories.
    private let metadata: PublicMetadata
    private var models: [ColumnModel]?
    private var schema: [Field] = []

    struct Field: Codable {
        var name: String
        var kind: ColumnKind
        var levels: [String]
    }

    /// What a saved model holds: each column's marginal (a numeric column's present values, or
    /// its histogram) and its name, kind and categories.
    struct State: Codable {
        var models: [ColumnModel]
        var schema: [Field]
    }

    public init(parameters: Parameters, context: PluginContext) throws {
        histogramOnly = parameters.string("numeric_model") == "histogram"
        bins = parameters.int("bins")
        keepMissing = parameters.bool("keep_missing")
        metadata = try PublicMetadata(parameters)
    }

    public mutating func fit(_ table: Table, context: PluginContext) throws {
        guard table.rowCount > 0 else { throw PluginError.invalidArgument("cannot fit on a table with no rows") }
        let statistics = context.privacy?.statistics
        if context.privacy != nil, statistics == nil {
            throw PluginError.unsupported("the composed privacy mechanism does not offer \(Capability.privacyStatistics)")
        }
        let table = try metadata.apply(to: table, plugin: "independent", context: context)
        try statistics?.plan(queries: table.columns.count)
        var fitted: [ColumnModel] = []
        for (index, column) in table.columns.enumerated() {
            try context.checkCancellation()
            let model: ColumnModel
            if let statistics {
                model = try ColumnModel.fitPrivately(column, bins: bins, bounds: metadata.bounds[column.name], statistics: statistics)
            } else {
                model = ColumnModel.fit(column, bins: bins, histogram: histogramOnly)
            }
            fitted.append(model)
            context.progress(Double(index + 1) / Double(table.columns.count), "fitted column \(column.name)")
        }
        models = fitted
        schema = table.columns.map { column in
            if case .categorical(_, let levels) = column.values { return Field(name: column.name, kind: column.kind, levels: levels) }
            return Field(name: column.name, kind: column.kind, levels: [])
        }
    }

    public func saveState(context: PluginContext) throws -> [UInt8] {
        guard let models else { throw PluginError.state("save() called before fit(): there is no model to save") }
        return try CodableState.encode(State(models: models, schema: schema), plugin: "independent")
    }

    public mutating func loadState(_ bytes: [UInt8], context: PluginContext) throws {
        let state = try CodableState.decode(State.self, from: bytes, plugin: "independent")
        guard state.models.count == state.schema.count else {
            throw PluginError.invalidArgument("saved independent model has \(state.models.count) column models for \(state.schema.count) columns")
        }
        models = state.models
        schema = state.schema
    }

    public mutating func sample(rows: Int, context: PluginContext) throws -> Table {
        guard let models else { throw PluginError.state("sample() called before fit()") }
        var columns: [Column] = []
        for (index, model) in models.enumerated() {
            try context.checkCancellation()
            var random = context.random("independent.column.\(index)")
            var missingRandom = context.random("independent.missing.\(index)")
            let field = schema[index]
            var missing = [Bool](repeating: false, count: rows)
            if keepMissing, model.missingRate > 0 {
                for row in 0..<rows { missing[row] = missingRandom.nextUniform() < model.missingRate }
            }
            let values = model.draw(rows: rows, kind: field.kind, levels: field.levels, missing: missing, random: &random)
            columns.append(Column(name: field.name, values: values, missing: missing))
        }
        return try Table(columns: columns)
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(IndependentGenerator.self) }
