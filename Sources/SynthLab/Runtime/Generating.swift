import Foundation
import CSynthABI
import SynthKit

/// A generator instance, optionally composed with a privacy mechanism.
public final class GeneratorSession: @unchecked Sendable {
    public let generator: PluginInstance
    public let privacy: PluginInstance?
    private let interface: UnsafePointer<synth_generator_v1>
    /// The fitted table's columns and row count (nil until fit, or a saved model is loaded).
    var fitted: (columns: [(String, ColumnKind)], rows: Int)?
    /// The training table, kept (a reference to its column storage) until its hash is asked for.
    private var fittedTable: Table?
    var cachedTrainingHash: String?
    /// The ε and δ a saved model's file records (its fit spent them; sampling spends nothing).
    var loadedSpend: PrivacySpend?
    /// The rules the model keeps (`keep:` at fit): those in `learned` by how it makes rows, the
    /// other inequalities by leaving out rows that break them, which its callers do
    /// (`ConditionalSampling.sample`).
    public internal(set) var keptRules: [ConstraintRule] = []
    /// The rules the generator learned, in the order they are applied.
    public internal(set) var learned: [LearnedRule] = []

    /// The rules the generator learned, as written, in the order given.
    public var learnedRules: [String] {
        keptRules.map(\.text).filter { text in learned.contains { $0.rules.contains(text) } }
    }

    /// Refuses a composition whose generator consumes none of the privacy plugin's capabilities.
    public init(generator: PluginInstance, privacy: PluginInstance?) throws(SynthLabError) {
        guard generator.plugin.kind == .generator,
              let interface = generator.capability(Capability.generator, as: synth_generator_v1.self) else {
            throw .wrongKind(id: generator.plugin.id, expected: .generator, actual: generator.plugin.kind)
        }
        if let privacy {
            try Composition.check(generator: generator.plugin.descriptor, privacy: privacy.plugin.descriptor)
        }
        self.generator = generator
        self.privacy = privacy
        self.interface = interface
    }

    /// Fits the generator on `table`. With `keep`, the model keeps those rules: with `learn`
    /// (and no privacy), the generator learns each one `LearnedRule.plan` can (an inequality as
    /// a gap, a dependency as a mapping), and the inequalities it does not learn are kept by
    /// leaving out the rows that break them when it samples. A dependency is kept only by
    /// learning it. Under privacy no rule is learned: a gap's range, or a mapping, would be
    /// taken from the data outside the guarantee.
    public func fit(_ table: Table, host: HostServices, keep rules: [ConstraintRule] = [], learn: Bool = true) throws {
        let id = generator.plugin.id
        try ConditionalSampling.check(rules, columns: table.columnNames, option: "keep", dependencies: true)
        var learned: [LearnedRule] = []
        if learn, !rules.isEmpty {
            if let privacy {
                host.log(.info, "keep: composed with \(privacy.plugin.id), \(id) learns no rule (a gap's range or a mapping would come "
                         + "from the data, outside the guarantee); rows that break a rule are left out")
            } else {
                learned = LearnedRule.plan(rules, table: table)
            }
        }
        for rule in rules where rule.isDependency && !learned.contains(where: { $0.rules.contains(rule.text) }) {
            let why = !learn ? "learn is false" : privacy != nil ? "composed with privacy, no rule is learned"
                : "a dependency is learned when its last column is categorical, boolean or integer and no earlier rule replaced one of its columns"
            throw SynthLabError.invalidRequest("keep: '\(rule.text)' is a dependency, which a model keeps only by learning it, and \(why)")
        }
        var fitted = table
        do { fitted = try LearnedRule.apply(learned, to: table) } catch { throw SynthLabError.invalidRequest("keep: \(error)") }
        for rule in learned {
            switch rule {
            case .gap(let gap):
                let values = fitted.column(named: gap.column)?.presentNumbers() ?? []
                let below = values.filter { gap.strict ? $0 <= 0 : $0 < 0 }.count
                let bounds = (gap.boundRules ?? []).isEmpty ? "" : ", bounded by '\(gap.boundRules!.joined(separator: "', '"))'"
                host.log(below > 0 ? .warning : .info, "keep: \(id) learns '\(gap.rule)' as the gap of \(gap.column)\(bounds)"
                         + (below > 0 ? "; \(below) of the \(table.rowCount) training rows break it, and such gaps are made on the rule's edge" : ""))
            case .mapping(let mapping):
                host.log(.info, "keep: \(id) learns '\(mapping.rule)': \(mapping.column) is made from \(mapping.from.joined(separator: ", ")) "
                         + "as the training rows map them (\(mapping.keys.count) keys)")
            }
        }
        let identifiers = Self.identifierColumns(table)
        if !identifiers.isEmpty {
            let names = identifiers.map { "\"\($0)\"" }.joined(separator: ", ")
            host.log(.warning, "\(id): \(identifiers.joined(separator: ", ")) \(identifiers.count == 1 ? "holds" : "hold") a different value in "
                     + "(nearly) every row, as a row number, an id or a name does: \(id) learns \(identifiers.count == 1 ? "it" : "them") as data, "
                     + "and the rows it makes can carry \(identifiers.count == 1 ? "its" : "their") real values; leave "
                     + "\(identifiers.count == 1 ? "it" : "them") out of the table it learns (at the prompt: select(TABLE, except: [\(names)]))")
        }
        try withArrow(fitted) { schema, array in
            try host.withHost(privacy: privacy) { hostPointer in
                try callPlugin(id, "fit") { interface.pointee.fit(generator.pointer, hostPointer, schema, array, $0) }
            }
        }
        self.fitted = (table.columns.map { ($0.name, $0.kind) }, table.rowCount)
        fittedTable = table
        keptRules = rules
        self.learned = learned
    }

    /// The columns of a table of 50 rows or more that look like identifiers: a categorical column
    /// whose present values are 95 % distinct or more (ids, names), or an integer column whose
    /// values are all distinct and span at most one and a half times the rows (row numbers, dense
    /// ids; an amount of money spans far more).
    public static func identifierColumns(_ table: Table) -> [String] {
        guard table.rowCount >= 50 else { return [] }
        return table.columns.compactMap { column in
            let present = column.count - column.missingCount
            guard present >= 50 else { return nil }
            switch column.values {
            case .categorical:
                return Double(column.heldLevels.count) >= 0.95 * Double(present) ? column.name : nil
            case .integer(let values):
                // The span first, in one pass: most integer columns are told apart by it, and only
                // a narrow one has its values hashed.
                let kept = values.indices.lazy.filter { !column.isMissing($0) }.map { values[$0] }
                guard let low = kept.min(), let high = kept.max(), Double(high) - Double(low) + 1 <= 1.5 * Double(present) else { return nil }
                return Set(kept).count == present ? column.name : nil
            default:
                return nil
            }
        }
    }

    /// The content hash of the table the model was fitted on (for provenance records).
    public var trainingTableSHA256: String? {
        if let cachedTrainingHash { return cachedTrainingHash }
        guard let fittedTable else { return nil }
        cachedTrainingHash = Provenance.hash(fittedTable)
        return cachedTrainingHash
    }

    /// Refuses a row count whose table could not fit in this machine's memory (a plugin would
    /// abort when it failed to allocate it): `rows` × `columns` values of 8 bytes, twice (the
    /// plugin's table and the copy the host makes). It is meant for the absurd count, a typo's
    /// extra digits; a count just under it may still not fit beside everything else.
    /// `columns` is nil for a simulator, whose columns are not known before it samples: one is counted.
    public static func checkMemory(rows: Int, columns: Int?, memory: UInt64 = MemoryNeeds.machine) throws {
        let needed = Double(rows) * Double(max(columns ?? 1, 1)) * 8 * 2
        guard needed > Double(memory) else { return }
        let shown = MemoryNeeds.shown
        let what = columns.map { "they would take about \(shown(needed)) for \($0) column\($0 == 1 ? "" : "s")" }
            ?? "a single column of them would take about \(shown(needed))"
        throw SynthLabError.invalidRequest("cannot make \(rows) rows: \(what), more than this machine's \(shown(Double(memory))) of memory; sample fewer rows, or in parts")
    }

    /// `rows` rows; with `condition`, rows whose categorical column has the given category.
    public func sample(rows: Int, where condition: (column: String, value: String)? = nil, host: HostServices) throws -> Table {
        let id = generator.plugin.id
        let simulates = generator.plugin.descriptor.simulates
        guard fitted != nil || simulates else { throw SynthLabError.invalidRequest("\(id): sample before fit") }
        try Self.checkMemory(rows: rows, columns: fitted?.columns.count)
        var schema = ArrowSchema(), array = ArrowArray()
        if let condition, case .mapping(let mapping)? = learned.first(where: { $0.column == condition.column }) {
            throw SynthLabError.invalidRequest("where: \(condition.column) is made from \(mapping.from.joined(separator: ", ")) by the rule "
                                               + "'\(mapping.rule)' the model learned; give a condition on another column first")
        }
        if let condition {
            let offset = MemoryLayout<synth_generator_v1>.offset(of: \synth_generator_v1.sample_conditional)!
            guard generator.plugin.descriptor.samplesConditionally, Int(interface.pointee.struct_size) > offset,
                  let conditional = interface.pointee.sample_conditional else {
                throw SynthLabError.invalidRequest("generator '\(id)' does not sample conditionally")
            }
            try host.withHost(privacy: privacy) { hostPointer in
                try callPlugin(id, "sample_conditional") { error in
                    condition.column.withCString { column in
                        condition.value.withCString { value in
                            conditional(generator.pointer, hostPointer, Int64(rows), column, value, &schema, &array, error)
                        }
                    }
                }
            }
        } else {
            try host.withHost(privacy: privacy) { hostPointer in
                try callPlugin(id, "sample") { interface.pointee.sample(generator.pointer, hostPointer, Int64(rows), &schema, &array, $0) }
            }
        }
        defer {
            if let release = array.release { release(&array) }
            if let release = schema.release { release(&schema) }
        }
        let table: Table
        do { table = try ArrowImport.importTable(schema: &schema, array: &array) } catch {
            throw SynthLabError.badOutput(plugin: id, message: error.description)
        }
        let produced = table.columns.map { ($0.name, $0.kind) }
        // A simulator's columns are its own; any other generator gives back the fitted table's.
        let expected = simulates ? produced : LearnedRule.generatorColumns(learned, columns: fitted!.columns)
        guard produced.elementsEqual(expected, by: { $0 == $1 }), table.rowCount == rows else {
            let describe = { (list: [(String, ColumnKind)]) in list.map { "\($0.0):\($0.1.rawValue)" }.joined(separator: ", ") }
            throw SynthLabError.badOutput(plugin: id, message: "expected \(rows) rows of [\(describe(expected))], got \(table.rowCount) rows of [\(describe(produced))]")
        }
        guard !learned.isEmpty else { return table }
        do { return try LearnedRule.restore(learned, in: table) } catch { throw SynthLabError.badOutput(plugin: id, message: "restoring a rule's column: \(error)") }
    }

    /// What the composed privacy mechanism has spent (nil without privacy), or for a model read
    /// from a file, what its fit spent.
    public var privacySpent: PrivacySpend? { privacy.map(PrivacyAccount.spent) ?? loadedSpend }
}

/// What a privacy instance reports through `synth.privacy/1`.
public enum PrivacyAccount {
    public static func spent(_ instance: PluginInstance) -> PrivacySpend {
        read(instance) { $0.pointee.spent }
    }

    public static func budget(_ instance: PluginInstance) -> PrivacySpend {
        read(instance) { $0.pointee.budget }
    }

    private static func read(_ instance: PluginInstance,
                             _ pick: (UnsafePointer<synth_privacy_v1>) -> (@convention(c) (UnsafePointer<synth_instance>?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Void)?) -> PrivacySpend {
        var epsilon = Double.nan, delta = Double.nan
        if let core = instance.capability(Capability.privacy, as: synth_privacy_v1.self), let function = pick(core) {
            function(instance.pointer, &epsilon, &delta)
        }
        return PrivacySpend(epsilon: epsilon, delta: delta)
    }
}

public enum Composition {
    /// A generator composes with a privacy plugin when it consumes a capability the other provides.
    public static func check(generator: PluginDescriptor, privacy: PluginDescriptor) throws(SynthLabError) {
        guard privacy.kind == .privacy else { throw .wrongKind(id: privacy.id, expected: .privacy, actual: privacy.kind) }
        guard generator.kind == .generator else { throw .wrongKind(id: generator.id, expected: .generator, actual: generator.kind) }
        guard !Set(generator.capabilities).isDisjoint(with: privacy.capabilities) else {
            throw .cannotCompose(generator: generator.id, consumes: generator.capabilities,
                                 privacy: privacy.id, provides: privacy.capabilities)
        }
    }

    /// The generator's parameters as it takes them composed with `privacy`: each value its
    /// descriptor asks for when composed is set where the parameter is at its default, and a
    /// composition that gives another value is refused.
    public static func parameters(_ parameters: Parameters, generator: PluginDescriptor, privacy: PluginDescriptor) throws(SynthLabError) -> Parameters {
        guard !generator.composedParameters.isEmpty else { return parameters }
        var given = Dictionary(parameters.values.map { ($0.id, $0.value) }, uniquingKeysWith: { $1 })
        for (id, value) in generator.composedParameters.sorted(by: { $0.key < $1.key }) {
            let current = parameters[id]
            if current == value { continue }
            guard current == generator.parameters.first(where: { $0.id == id })?.defaultValue else {
                throw .invalidRequest("\(generator.id) composed with \(privacy.id) takes \(id): \(value), got \(id): \(current.map(String.init(describing:)) ?? "none")")
            }
            given[id] = value
        }
        do { return try Parameters(resolving: given, schema: generator.parameters, plugin: generator.id) } catch {
            throw .invalidRequest(error.description)
        }
    }
}

/// Exports `table` as Arrow for the duration of `body`, then releases it.
func withArrow<T>(_ table: Table, _ body: (UnsafePointer<ArrowSchema>, UnsafePointer<ArrowArray>) throws -> T) rethrows -> T {
    var schema = ArrowSchema(), array = ArrowArray()
    ArrowExport.export(table, schema: &schema, array: &array)
    defer {
        array.release?(&array)
        schema.release?(&schema)
    }
    return try body(&schema, &array)
}
