import Foundation
import SynthKit
import SynthLab
import SynthMath
import SynthMetrics

/// What an argument of a built-in function takes: checked when called, used by completion.
enum ArgumentKind: Equatable, Sendable {
    case table, path, columns, generators, validators, model, experiment, results, integer, number, string, bool
    case record, seeds, any
    case choice([String])
    /// Rules in a string (`keep:`): completion offers column names inside it.
    case rules
    /// Names that the results given to the same call hold.
    case resultNames(ResultNames)

    enum ResultNames: Equatable, Sendable { case metrics, configurations, tables }
}

struct BuiltinParameter: Sendable {
    let name: String
    let kind: ArgumentKind
    let required: Bool
    let help: String

    static func required(_ name: String, _ kind: ArgumentKind, _ help: String) -> BuiltinParameter {
        BuiltinParameter(name: name, kind: kind, required: true, help: help)
    }

    static func optional(_ name: String, _ kind: ArgumentKind, _ help: String) -> BuiltinParameter {
        BuiltinParameter(name: name, kind: kind, required: false, help: help)
    }
}

/// A built-in function: its declaration is what dispatch, `.help` and completion all read.
struct Builtin: Sendable {
    let name: String
    let summary: String
    let parameters: [BuiltinParameter]
    let body: @Sendable (Session, inout CallFrame) throws(ShellError) -> Value

    var usage: String {
        "\(name)(" + parameters.map { $0.required ? $0.name : "\($0.name): …" }.joined(separator: ", ") + ")"
    }
}

enum Builtins {
    static func named(_ name: String) -> Builtin? { all.first { $0.name == name } }

    static let all: [Builtin] = [
        Builtin(name: "load", summary: "Read a CSV file into a table.", parameters: [
            .required("path", .path, "the CSV file"),
            .optional("target", .string, "the column a model predicts (validators that need one use it)"),
            .optional("kinds", .record, "column kinds to force, {age: \"integer\", zip: \"categorical\"}"),
            .optional("missing", .any, "the tokens that mark a missing cell (replace the defaults)"),
            .optional("also_missing", .any, "tokens that mark a missing cell besides the defaults (or besides missing:), [\"unknown\", \"-\"]"),
            .optional("keep_blanks", .bool, "keep blanks around unquoted fields (default false)"),
            .optional("delimiter", .string, "the character between fields, or \"tab\" (default: found from the first lines)"),
            .optional("decimal", .string, "the decimal mark of numbers, \".\" (the default) or \",\" as in 1,5"),
            .optional("dates", .any, "how dates are written when not as YYYY-MM-DD: \"MM/DD/YYYY\", or per column, {visit: \"MM/DD/YYYY\", seen: \"DD.MM.YYYY HH:mm\"}"),
        ], body: load),
        Builtin(name: "schema", summary: "Each column's kind, missing count and role.", parameters: [
            .required("table", .table, "a table"),
        ]) { _, frame throws(ShellError) in
            .view(Views.schema(try Convert.table(frame.value("table")!, at: frame.location(of: "table"))))
        },
        Builtin(name: "head", summary: "The first rows of a table.", parameters: [
            .required("table", .table, "a table"),
            .optional("rows", .integer, "how many rows (default 10)"),
            .optional("columns", .columns, "which columns (default all)"),
        ]) { _, frame throws(ShellError) in
            let table = try Convert.table(frame.value("table")!, at: frame.location(of: "table"))
            let rows = try frame.value("rows").map { v throws(ShellError) in try Convert.integer(v, at: frame.location(of: "rows"), minimum: 0) } ?? 10
            return .view(Views.head(table, rows: rows, columns: try pickColumns(table, frame)))
        },
        Builtin(name: "summary", summary: "Per column: kind, missing, mean, sd, min, max, levels, most frequent level.", parameters: [
            .required("table", .table, "a table"),
            .optional("columns", .columns, "which columns (default all)"),
        ]) { _, frame throws(ShellError) in
            let table = try Convert.table(frame.value("table")!, at: frame.location(of: "table"))
            return .view(Views.summary(try pickColumns(table, frame)))
        },
        Builtin(name: "find_rules", summary: "Rules every row of a table keeps (A >= B between datetimes or numbers, A -> B between categories), as one string for keep: or constraints(rules:); choose those of the domain.", parameters: [
            .required("table", .table, "a table"),
            .optional("columns", .columns, "which columns the rules may read (default all)"),
            .optional("breaks", .number, "the share of rows a rule may break and still be found, in [0, 0.5) (default 0), for a table with a few wrong rows"),
        ]) { _, frame throws(ShellError) in
            let table = try Convert.table(frame.value("table")!, at: frame.location(of: "table"))
            let breaks = try frame.value("breaks").map { v throws(ShellError) in try Convert.number(v, at: frame.location(of: "breaks")) } ?? 0
            guard breaks >= 0, breaks < 0.5 else {
                throw ShellError("breaks: takes a share of rows in [0, 0.5), got \(formatDouble(breaks))", at: frame.location(of: "breaks"))
            }
            let picked: Table
            do { picked = try Table(columns: try pickColumns(table, frame)) } catch let error as TableError {
                throw ShellError("columns: \(error)", at: frame.location(of: "columns"))
            } catch let error as ShellError { throw error } catch { throw ShellError("\(error)", at: frame.location) }
            let rules = ConstraintRule.discover(in: picked, breaks: breaks)
            return .string(rules.map(\.text).joined(separator: "; "))
        },
        splitBuiltin("training", "The rows of a table that a seeded holdout split keeps for training (those an experiment's trial with that seed and holdout: trains on).",
                     other: "holdout", holdout: false),
        splitBuiltin("holdout", "The rows of a table that a seeded holdout split holds out (those training() with the same share and seed leaves out).",
                     other: "training", holdout: true),
        Builtin(name: "params", summary: "A plugin's parameters with their types, defaults and bounds.", parameters: [
            .required("plugin", .any, "a plugin id or a configuration"),
        ]) { _, frame throws(ShellError) in
            switch frame.value("plugin")! {
            case .plugin(let plugin): return .view(Views.parameters(plugin))
            case .config(let config): return .view(Views.parameters(config.plugin))
            case let other: throw ShellError("params() takes a plugin id, got \(other.typeName)", at: frame.location(of: "plugin"))
            }
        },
        Builtin(name: "fit", summary: "Fit a generator (composed with privacy or not) on a table.", parameters: [
            .required("generator", .generators, "a generator configuration"),
            .required("table", .table, "the training table"),
            .optional("seed", .integer, "the seed (drawn from the session seed when left out)"),
            .optional("executor", .choice(["workers", "inprocess"]),
                      "\"workers\" (the model lives in a worker process, so a plugin that crashes does not end the session; the default) or \"inprocess\""),
            .optional("keep", .rules, "rules every row the model makes keeps: \"dropoff >= pickup; zone -> borough\"; the generator learns an inequality as a gap (dropoff − pickup in place of dropoff) and a dependency as the training rows' mapping, and rows that break an inequality it did not learn are left out"),
            .optional("learn", .bool, "with keep: false learns no rule, and only leaves out the rows that break an inequality (default true)"),
        ], body: fit),
        Builtin(name: "sample", summary: "Sample rows from a fitted model, or from a generator that simulates data; `to:` also writes them to a CSV file.", parameters: [
            .required("model", .model, "a fitted model, or a simulating generator such as classification(...)"),
            .optional("rows", .integer, "how many rows (default: as many as the training table; needed for a simulator)"),
            .optional("to", .path, "a CSV file to write, atomically"),
            .optional("seed", .integer, "the seed of a simulator (drawn from the session seed when left out)"),
            .optional("where", .record, "categories of categorical columns, {income: \">50K\"} or {sex: \"Female\", income: \">50K\"}, or values of integer columns, {children: 2}, for a generator that samples conditionally (the rarest first)"),
            .optional("keep", .rules, "rules every row keeps, besides the model's own (fit(keep:)): \"dropoff >= pickup; total >= fare + tip\"; rows that break them are left out"),
        ], body: sample),
        Builtin(name: "save", summary: "Write a table to a CSV file, or a fitted model to a model file, atomically.", parameters: [
            .required("value", .any, "a table, or a fitted model of a generator that can save it (ctgan, tvae)"),
            .required("path", .path, "the CSV file or model file"),
        ]) { session, frame throws(ShellError) in
            let path = session.resolve(try Convert.string(frame.value("path")!, at: frame.location(of: "path")))
            if case .model(let model) = frame.value("value")! {
                do {
                    try model.save(to: path, options: session.modelOptions("saving \(model.spec.label)"))
                } catch {
                    throw session.failure(error, at: frame.location(of: "value"))
                }
                return .nothing
            }
            let table = try Convert.table(frame.value("value")!, at: frame.location(of: "value"), what: "a table or a fitted model")
            try session.writeCSV(table.table, to: path, at: frame.location(of: "path"), provenance: table.provenance)
            return .nothing
        },
        Builtin(name: "load_model", summary: "Read a model that save() wrote, ready to sample.", parameters: [
            .required("path", .path, "the model file"),
            .optional("executor", .choice(["workers", "inprocess"]), "\"workers\" (a worker process holds the model; the default) or \"inprocess\""),
        ]) { session, frame throws(ShellError) in
            let path = session.resolve(try Convert.string(frame.value("path")!, at: frame.location(of: "path")))
            let inProcess = try session.runsInProcess(frame)
            do {
                let saved = try SavedModel.read(path)
                let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                let plugin = try session.registry.plugin(saved.header.plugin, kind: .generator)
                let parameters: Parameters
                let values = try saved.parameterValues()
                do { parameters = try Parameters(resolving: values, schema: plugin.descriptor.parameters, plugin: plugin.id) } catch {
                    throw SynthLabError.invalidRequest("\(path): \(String(describing: error))")
                }
                let home: FittedModel.Home
                if inProcess {
                    let host = session.host(seed: saved.header.seed)
                    home = .inProcess(try GeneratorSession.loadModel(saved, registry: session.registry, host: host), host)
                } else {
                    home = .worker(try ModelWorker.load(saved, seed: saved.header.seed, options: session.modelOptions("loading \(stem)")))
                }
                let config = PluginConfig(plugin: plugin, parameters: parameters)
                return .model(FittedModel(spec: GeneratorSpec(generator: config, privacy: nil), home: home,
                                          tableName: stem, file: path, seed: saved.header.seed, columns: saved.header.columns.map(\.name),
                                          trainingRows: saved.header.rows, trainingHash: saved.header.trainingTableSHA256,
                                          rules: try saved.rules()))
            } catch {
                throw session.failure(error, at: frame.location(of: "path"))
            }
        },
        Builtin(name: "validate", summary: "Compare a synthetic table with the real one.", parameters: [
            .required("real", .table, "the real table"),
            .required("synthetic", .table, "the synthetic table"),
            .optional("validators", .validators, "validators (default: every one that applies)"),
            .optional("holdout", .table, "real rows not used for training, for validators that need them"),
            .optional("seed", .integer, "the seed (drawn from the session seed when left out)"),
            .optional("executor", .choice(["workers", "inprocess"]),
                      "\"workers\" (a worker process, so a validator that crashes does not end the session; the default) or \"inprocess\""),
        ], body: validate),
        Builtin(name: "experiment", summary: "Tables × generators × validators × seeds, to run with run().", parameters: [
            .required("tables", .table, "a table or a list of tables"),
            .required("generators", .generators, "a generator configuration or a list of them"),
            .optional("validators", .validators, "validators (default: every one that applies)"),
            .optional("seeds", .seeds, "a seed or a list of seeds (one is drawn when left out)"),
            .optional("rows", .integer, "rows to sample per trial (default: as many as the training part)"),
            .optional("holdout", .number, "the share of rows held out of training, in [0, 0.9] (default 0)"),
            .optional("keep", .rules, "rules every trial's synthetic rows keep, as in fit(keep:): \"dropoff >= pickup\", or each table's, {taxis: \"dropoff >= pickup\", adult: \"education -> `education-num`\"}"),
            .optional("learn", .bool, "with keep: false learns no rule, and only leaves out the rows that break an inequality (default true)"),
        ], body: ExperimentRunner.define),
        Builtin(name: "named", summary: "Give generator configurations a short name, which results, figures and exports show.", parameters: [
            .required("generators", .generators, "a generator configuration (composed or not) or a list of them, as a sweep makes"),
            .required("name", .string, "the name; each member of a list gets it followed by the parameters that tell it apart"),
        ], body: named),
        Builtin(name: "run", summary: "Run an experiment; shows progress, Ctrl-C cancels.", parameters: [
            .required("experiment", .experiment, "an experiment"),
            .optional("executor", .choice(ExperimentRunner.executors), "where trials run: \"workers\" (processes, the default) or \"inprocess\""),
            .optional("workers", .integer, "worker processes at once (default: the cores)"),
            .optional("timeout", .number, "seconds a trial may take before its worker is stopped"),
        ], body: ExperimentRunner.run),
        Builtin(name: "details", summary: "Every metric of every trial, one per row.", parameters: [
            .required("results", .results, "experiment results"),
        ]) { _, frame throws(ShellError) in
            guard case .results(let results) = frame.value("results")! else {
                throw ShellError("details() takes experiment results, got \(frame.value("results")!.typeName)", at: frame.location(of: "results"))
            }
            return .view(Views.details(results))
        },
        Builtin(name: "costs", summary: "What each configuration's trials cost: seconds to fit, sample and validate, and the worker's peak memory.", parameters: [
            .required("results", .results, "the results of run()"),
        ]) { _, frame throws(ShellError) in
            guard case .results(let results) = frame.value("results")! else {
                throw ShellError("costs() takes experiment results, got \(frame.value("results")!.typeName)", at: frame.location(of: "results"))
            }
            guard let costs = Views.costs(results) else {
                throw ShellError("costs() takes the results of run(): validate() compares two tables and fits nothing", at: frame.location(of: "results"))
            }
            return .view(costs)
        },
        Builtin(name: "select", summary: "Part of results (metrics, configurations, tables) or of a table (columns, rows that keep rules), in the order given.", parameters: [
            .required("value", .any, "experiment results, or a table"),
            .optional("metrics", .resultNames(.metrics), "results: a metric name or a list of them (default: every one)"),
            .optional("generators", .resultNames(.configurations), "results: a configuration, as the results name it, or a list of them (default: every one)"),
            .optional("tables", .resultNames(.tables), "results: a table name or a list of them (default: every one)"),
            .optional("columns", .columns, "a table: the columns to keep, in this order"),
            .optional("except", .columns, "a table: the columns to leave out (an id column, say); results: the metrics to leave out"),
            .optional("keep", .rules, "a table: the rows that break none of these rules, as in \"fare >= 0; dropoff >= pickup\""),
        ], body: select),
        Builtin(name: "compare", summary: "Paired differences of a metric between configurations across seeds: mean, 95 % interval, p-values.", parameters: [
            .required("results", .results, "experiment results"),
            .required("metric", .resultNames(.metrics), "a table-level metric the trials reported, such as \"quality\""),
            .optional("against", .resultNames(.configurations), "a configuration (as the results name it) to compare every other with (default: every pair)"),
        ]) { _, frame throws(ShellError) in
            guard case .results(let results) = frame.value("results")! else {
                throw ShellError("compare() takes experiment results, got \(frame.value("results")!.typeName)", at: frame.location(of: "results"))
            }
            let metric = try Convert.string(frame.value("metric")!, at: frame.location(of: "metric"), what: "a metric name")
            try Figures.checkReported(metric, in: results, at: frame.location(of: "metric"))
            let against = try frame.value("against").map { v throws(ShellError) in try Convert.string(v, at: frame.location(of: "against"), what: "a configuration") }
            if let against {
                let labels = results.configurationLabels
                guard labels.contains(against) else {
                    throw ShellError("against: no configuration is named '\(against)'" + Suggest.hint(against, among: labels)
                                     + " (the results' configurations: \(labels.joined(separator: "; ")))", at: frame.location(of: "against"))
                }
            }
            return .view(Views.compare(results, metric: metric, baseline: against))
        },
        Builtin(name: "export", summary: "Write results or a table to a file; the format follows the extension or `format:`.", parameters: [
            .required("value", .any, "results, a result table or a table"),
            .required("path", .path, "the file (.md, .csv, .json, .tex, .html, .txt); results to .html make the full report"),
            .optional("format", .choice(OutputMode.allCases.map(\.rawValue)), "table, markdown, csv, json, latex or html"),
        ], body: export),
        Builtin(name: "figure", summary: "Draw a figure as SVG into a file.", parameters: [
            .required("kind", .choice(Figures.kinds), "metric, privacy, tradeoff, losses (of results); distribution, correlations (of two tables)"),
            .required("value", .any, "experiment results, or the real table"),
            .required("to", .path, "the SVG file to write"),
            .optional("synthetic", .table, "the synthetic table (distribution, correlations)"),
            .optional("metric", .resultNames(.metrics), "the metric to draw (metric, privacy, tradeoff's y axis; default quality)"),
            .optional("against", .resultNames(.metrics), "tradeoff: the metric on the x axis, as in metric: \"boosting_f1\", against: \"mia_auc\""),
            .optional("column", .string, "the column (distribution)"),
        ], body: Figures.draw),
        Builtin(name: "range", summary: "The integers from `from` to `to`, both included (for seeds).", parameters: [
            .required("from", .integer, "the first integer"),
            .required("to", .integer, "the last integer"),
        ]) { _, frame throws(ShellError) in
            let low = try Convert.integer(frame.value("from")!, at: frame.location(of: "from"))
            let high = try Convert.integer(frame.value("to")!, at: frame.location(of: "to"))
            guard high >= low else { throw ShellError("range(\(low), \(high)) is empty: `to` is below `from`", at: frame.location(of: "to")) }
            guard high - low < 1_000_000 else { throw ShellError("range(\(low), \(high)) has more than a million integers", at: frame.location) }
            return .list((low...high).map { .number(Double($0), isInteger: true) })
        },
    ]

    static func pickColumns(_ table: TableValue, _ frame: CallFrame) throws(ShellError) -> [Column] {
        guard let value = frame.value("columns") else { return table.table.columns }
        let names = try Convert.strings(value, at: frame.location(of: "columns"), what: "column names")
        guard !names.isEmpty else {
            throw ShellError("columns: needs at least one column (leave it out for every one)", at: frame.location(of: "columns"))
        }
        var columns: [Column] = []
        for name in names {
            guard let column = table.table.column(named: name) else {
                throw ShellError("\(table.name) has no column '\(name)'" + Suggest.hint(name, among: table.table.columnNames), at: frame.location(of: "columns"))
            }
            columns.append(column)
        }
        return columns
    }

    static func load(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let typed = try Convert.string(frame.value("path")!, at: frame.location(of: "path"), what: "a file path")
        if let scheme = ["http://", "https://", "ftp://", "s3://", "gs://"].first(where: { typed.lowercased().hasPrefix($0) }) {
            let file = URL(string: typed)?.lastPathComponent ?? "table.csv"
            throw ShellError("load() reads a file on this machine, not a network address (\(scheme)): download it first "
                             + "(curl -L -o \(file.isEmpty ? "table.csv" : file) '\(typed)'), then load the file", at: frame.location(of: "path"))
        }
        let path = session.resolve(typed)
        var options = CSVOptions()
        if let missing = frame.value("missing") {
            options.missingTokens = Set(try Convert.strings(missing, at: frame.location(of: "missing"), what: "missing-value tokens"))
        }
        if let also = frame.value("also_missing") {
            options.missingTokens.formUnion(try Convert.strings(also, at: frame.location(of: "also_missing"), what: "missing-value tokens"))
        }
        if let keep = frame.value("keep_blanks") { options.trimWhitespace = !(try Convert.bool(keep, at: frame.location(of: "keep_blanks"))) }
        if let given = frame.value("delimiter") {
            let name = try Convert.string(given, at: frame.location(of: "delimiter"), what: "a delimiter")
            guard let byte = CSVOptions.delimiter(named: name) else {
                throw ShellError("delimiter: takes one character other than a quote or a line end, or \"tab\", got \"\(name)\"",
                                 at: frame.location(of: "delimiter"))
            }
            options.delimiter = byte
        }
        if let given = frame.value("decimal") {
            let mark = try Convert.string(given, at: frame.location(of: "decimal"), what: "a decimal mark")
            guard let comma = CSVOptions.decimalComma(named: mark) else {
                throw ShellError("decimal: takes \".\" or \",\", got \"\(mark)\"", at: frame.location(of: "decimal"))
            }
            options.decimalComma = comma
        }
        // Where each column a kind or a date pattern is given for is named, for an error about it.
        var kindLocations: [String: (location: SourceLocation, argument: String)] = [:]
        if let given = frame.value("dates") {
            let location = frame.location(of: "dates")
            func pattern(_ value: Value) throws(ShellError) -> DatePattern {
                let format = try Convert.string(value, at: location, what: "a date pattern")
                guard let pattern = DatePattern(format) else {
                    throw ShellError("dates: takes a pattern of YYYY, MM, DD (and HH, mm, SS) with the characters between them, as \"MM/DD/YYYY\" or \"DD.MM.YYYY HH:mm\", got \"\(format)\"",
                                     at: location)
                }
                return pattern
            }
            if case .record(let fields) = given {
                for field in fields {
                    options.columnDates[field.key] = try pattern(field.value)
                    kindLocations[field.key] = (location, "dates")
                }
            } else {
                options.dates = try pattern(given)
            }
        }
        if let kinds = frame.value("kinds") {
            guard case .record(let fields) = kinds else {
                throw ShellError("kinds: takes a record, {column: \"kind\"}, got \(kinds.typeName)", at: frame.location(of: "kinds"))
            }
            for field in fields {
                let text = try Convert.string(field.value, at: frame.location(of: "kinds"), what: "a column kind")
                guard let kind = ColumnKind(rawValue: text) else {
                    let names = ColumnKind.allCases.map(\.rawValue)
                    throw ShellError("'\(text)' is not a column kind" + Suggest.hint(text, among: names) + " (kinds: \(names.joined(separator: ", ")))",
                                     at: frame.location(of: "kinds"))
                }
                options.kindOverrides[field.key] = kind
                kindLocations[field.key] = (frame.location(of: "kinds"), "kinds")
            }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw ShellError("no file \(path)", at: frame.location(of: "path"))
        }
        let table: Table
        do { table = try CSVReader.read(path: path, options: options) } catch {
            if case .unknownColumn(let column, let known) = error.problem, let given = kindLocations[column] {
                throw ShellError("\(given.argument): \(typed) has no column '\(column)'" + Suggest.hint(column, among: known), at: given.location)
            }
            throw ShellError(error.description, at: frame.location(of: "path"))
        }
        for (column, given) in kindLocations where table.column(named: column) == nil {
            throw ShellError("\(given.argument): \(typed) has no column '\(column)'" + Suggest.hint(column, among: table.columnNames), at: given.location)
        }
        for note in ReadingNote.of(table, options: options) {
            let text: String
            switch note {
            case .dates(let column, let patterns):
                text = "\(column) holds dates written as \(patterns.joined(separator: " or ")), read as categories; "
                    + "load(\"\(typed)\", \(patterns.map { "dates: \"\($0)\"" }.joined(separator: " or "))) reads them as dates"
            case .decimalComma(let columns):
                text = "\(columns.joined(separator: ", ")) \(columns.count == 1 ? "holds" : "hold") numbers written with a decimal comma "
                    + "(1,5), read as categories; load(\"\(typed)\", decimal: \",\") reads them as numbers"
            case .infinities(let columns, let tokens):
                text = "\(columns.joined(separator: ", ")) \(columns.count == 1 ? "holds" : "hold") numbers and infinities "
                    + "(\(tokens.joined(separator: ", "))), read as categories; load(\"\(typed)\", also_missing: [\(tokens.map { "\"\($0)\"" }.joined(separator: ", "))]) "
                    + "reads the infinities as missing and the rest as numbers"
            }
            session.io.diagnostic("[note] load: \(text)\n")
        }
        var target: String?
        if let value = frame.value("target") {
            let name = try Convert.string(value, at: frame.location(of: "target"), what: "a column name")
            guard table.column(named: name) != nil else {
                throw ShellError("\(typed) has no column '\(name)'" + Suggest.hint(name, among: table.columnNames), at: frame.location(of: "target"))
            }
            target = name
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return .table(TableValue(name: stem, table: table, path: typed, target: target))
    }

    /// training() or holdout(), whose `other` gives the rest of the rows.
    static func splitBuiltin(_ name: String, _ summary: String, other: String, holdout: Bool) -> Builtin {
        Builtin(name: name, summary: summary, parameters: [
            .required("table", .table, "a table"),
            .required("share", .number, "the share of rows held out, in (0, 0.9]"),
            .required("seed", .integer, "the split's seed: \(other)() with the same share and seed gives the other rows"),
        ]) { session, frame throws(ShellError) in
            try splitPart(session, frame, holdout: holdout)
        }
    }

    /// training() and holdout(): one part of the split an experiment makes of a table (`TrialRunner.split`).
    static func splitPart(_ session: Session, _ frame: CallFrame, holdout: Bool) throws(ShellError) -> Value {
        let table = try Convert.table(frame.value("table")!, at: frame.location(of: "table"))
        let share = try Convert.number(frame.value("share")!, at: frame.location(of: "share"))
        guard share > 0, share <= 0.9 else {
            throw ShellError("share takes the share of rows held out, in (0, 0.9], got \(formatDouble(share))", at: frame.location(of: "share"))
        }
        let seed = try Convert.seed(frame.value("seed")!, at: frame.location(of: "seed"))
        let parts = TrialRunner.split(table.table, share: share, seed: seed)
        guard let held = parts.holdout, held.rowCount > 0, parts.training.rowCount > 0 else {
            throw ShellError("\(table.name) has \(counted(table.table.rowCount, "row")): too few to hold out \(String(format: "%g", share * 100)) % and train on the rest",
                             at: frame.location(of: "table"))
        }
        let part = holdout ? held : parts.training
        let what = holdout ? "held out of" : "for training from"
        return .table(TableValue(name: table.name, table: part,
                                 path: "\(counted(part.rowCount, "row")) \(what) \(table.name) (share \(formatDouble(share)), seed \(seed))",
                                 target: table.target))
    }

    /// select(): the trials of the configurations and tables listed, each with the metrics listed
    /// (table-level and per-column ones of those names) or all but those `except:` lists, in the
    /// order of the lists, so that a results table or an export shows them in that order; or the
    /// columns and rows of a table.
    static func select(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let forResults = ["metrics", "generators", "tables"], forTables = ["columns", "keep"]
        if case .table(let table) = frame.value("value")! {
            if let name = forResults.first(where: { frame.value($0) != nil }) {
                throw ShellError("\(name): is for results; a table takes columns:, except: or keep:", at: frame.location(of: name))
            }
            return .table(try selectColumns(try selectRows(table, frame), frame))
        }
        guard case .results(var results) = frame.value("value")! else {
            throw ShellError("select() takes experiment results or a table, got \(frame.value("value")!.typeName)", at: frame.location(of: "value"))
        }
        if let name = forTables.first(where: { frame.value($0) != nil }) {
            throw ShellError("\(name): is for a table; results take metrics:, except:, generators: or tables:", at: frame.location(of: name))
        }
        /// The names an argument lists, each known to the results, none twice; nil when it is not given.
        func listed(_ parameter: String, what: String, known: [String]) throws(ShellError) -> [String]? {
            guard let value = frame.value(parameter) else { return nil }
            let location = frame.location(of: parameter)
            let names = try Convert.strings(value, at: location, what: what)
            guard !names.isEmpty else { throw ShellError("\(parameter): the list is empty; leave it out to keep every one", at: location) }
            var seen = Set<String>()
            for name in names {
                guard known.contains(name) else {
                    throw ShellError("\(parameter): the results have no \(what) '\(name)'" + Suggest.hint(name, among: known)
                                     + " (they have: \(known.joined(separator: "; ")))", at: location)
                }
                guard seen.insert(name).inserted else { throw ShellError("\(parameter): '\(name)' is listed twice", at: location) }
            }
            return names
        }
        let metricNames = results.trials.flatMap { $0.metrics.map(\.metric.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if frame.value("metrics") != nil, frame.value("except") != nil {
            throw ShellError("give metrics: or except:, not both", at: frame.location(of: "except"))
        }
        var metrics = try listed("metrics", what: "metric", known: metricNames)
        if let left = try listed("except", what: "metric", known: metricNames) {
            metrics = metricNames.filter { !left.contains($0) }
            guard !metrics!.isEmpty else { throw ShellError("except: no metric would be left", at: frame.location(of: "except")) }
        }
        let generators = try listed("generators", what: "configuration", known: results.configurationLabels)
        let tables = try listed("tables", what: "table", known: Report.orderedTables(results))
        // Orders by position in a list; a stable sort keeps the seeds' order within each.
        func order<T>(_ items: [T], by list: [String]?, _ key: (T) -> String) -> [T] {
            guard let list else { return items }
            return items.enumerated().filter { list.contains(key($0.element)) }
                .sorted { (list.firstIndex(of: key($0.element))!, $0.offset) < (list.firstIndex(of: key($1.element))!, $1.offset) }
                .map(\.element)
        }
        results.trials = order(order(results.trials, by: generators, \.generator), by: tables, \.table)
        for index in results.trials.indices {
            results.trials[index].metrics = order(results.trials[index].metrics, by: metrics, \.metric.name)
        }
        return .results(results)
    }

    /// select() of a table: the columns `columns:` lists, in that order, or every one but those
    /// `except:` lists. The target stays a column: leaving it out is refused.
    static func selectColumns(_ value: TableValue, _ frame: CallFrame) throws(ShellError) -> TableValue {
        let keep = frame.value("columns"), leave = frame.value("except")
        if keep != nil, leave != nil { throw ShellError("give columns: or except:, not both", at: frame.location(of: "except")) }
        guard let given = keep ?? leave else { return value }
        let parameter = keep != nil ? "columns" : "except"
        let location = frame.location(of: parameter)
        let names = try Convert.strings(given, at: location, what: "column names")
        var seen = Set<String>()
        for name in names {
            guard value.table.column(named: name) != nil else {
                throw ShellError("\(parameter): \(value.name) has no column '\(name)'" + Suggest.hint(name, among: value.table.columnNames), at: location)
            }
            guard seen.insert(name).inserted else { throw ShellError("\(parameter): '\(name)' is listed twice", at: location) }
        }
        let columns = keep != nil ? names.compactMap { value.table.column(named: $0) } : value.table.columns.filter { !seen.contains($0.name) }
        guard !columns.isEmpty else { throw ShellError("\(parameter): no column would be left", at: location) }
        if let target = value.target, !columns.contains(where: { $0.name == target }) {
            throw ShellError("\(parameter): \(target) is the table's target; keep it, or load the table without target:", at: location)
        }
        let table: Table
        do { table = try Table(columns: columns) } catch { throw ShellError(error.description, at: location) }
        return TableValue(name: value.name, table: table,
                          path: "\(columns.count) of the \(value.table.columns.count) columns of \(value.name) (\(value.path))",
                          target: value.target, provenance: value.provenance)
    }

    /// select() of a table with keep: the rows that break none of the rules (a row a rule cannot
    /// judge, with a missing cell it reads, is kept), judged before columns: or except: leave
    /// columns out. A dependency follows the table's own mapping: each key's most frequent value.
    static func selectRows(_ value: TableValue, _ frame: CallFrame) throws(ShellError) -> TableValue {
        guard let rules = try keepRules(frame) else { return value }
        let location = frame.location(of: "keep")
        var kept = [Bool](repeating: true, count: value.table.rowCount)
        for rule in rules {
            let judged: [Bool?]
            do { judged = try rule.judge(value.table) } catch { throw ShellError("keep: " + error.description, at: location) }
            for (row, verdict) in judged.enumerated() where verdict == false { kept[row] = false }
        }
        let rows = kept.indices.filter { kept[$0] }
        guard !rows.isEmpty else { throw ShellError("keep: every row of \(value.name) breaks a rule", at: location) }
        return TableValue(name: value.name, table: value.table.rows(rows),
                          path: "\(rows.count) of the \(value.table.rowCount) rows of \(value.name), those that keep \(ConditionalSampling.describe(rules)!) (\(value.path))",
                          target: value.target, provenance: value.provenance)
    }

    /// named(): the generator configurations with a name in place of their label. A list's members
    /// are told apart by the parameters whose values differ among them: "DP-CTGAN (epsilon: 1.0)".
    static func named(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let location = frame.location(of: "generators")
        let name = try Convert.string(frame.value("name")!, at: frame.location(of: "name"), what: "a name")
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, !name.contains("\n") else {
            throw ShellError("named(): the name must be one line with some text, got \(literal(.string(name)))", at: frame.location(of: "name"))
        }
        let given = frame.value("generators")!
        var specs: [GeneratorSpec] = []
        for item in Convert.items(given) {
            specs.append(try Convert.generatorSpec(item, session: session, at: location))
        }
        guard case .list = given else {
            specs[0].name = name
            return .generator(specs[0])
        }
        guard !specs.isEmpty else { throw ShellError("named(): the list has no generator to name", at: location) }
        // Each member's settings by "plugin.parameter" (and which plugins it has); those that
        // differ among the members name them apart.
        let settings: [[(key: String, shown: String)]] = specs.map { spec in
            var items: [(key: String, shown: String)] = [("generator", spec.generator.id), ("privacy", spec.privacy?.id ?? "no privacy")]
            for config in [spec.generator] + (spec.privacy.map { [$0] } ?? []) {
                for parameter in config.parameters.values {
                    items.append(("\(config.kind.rawValue).\(parameter.id)", "\(parameter.id): \(literal(parameter.value))"))
                }
            }
            return items
        }
        var keys: [String] = []
        for items in settings { for item in items where !keys.contains(item.key) { keys.append(item.key) } }
        let differing = keys.filter { key in Set(settings.map { items in items.first { $0.key == key }?.shown ?? "" }).count > 1 }
        // Members of different plugins are told apart by their own labels ("neural (ctgan)"),
        // not by every parameter one of them lacks.
        let samePlugins = !differing.contains("generator") && !differing.contains("privacy")
        var names = Set<String>()
        for index in specs.indices {
            let parts = samePlugins ? differing.compactMap { key in settings[index].first { $0.key == key }?.shown }
                : [specs[index].configurationLabel]
            specs[index].name = parts.isEmpty ? name : "\(name) (\(parts.joined(separator: ", ")))"
            guard names.insert(specs[index].name!).inserted else {
                throw ShellError("named(): two members of the list are the same configuration, \(specs[index].configurationLabel)", at: location)
            }
        }
        return .list(specs.map { .generator($0) })
    }

    static func seed(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> UInt64 {
        if let value = frame.value("seed") { return try Convert.seed(value, at: frame.location(of: "seed")) }
        let drawn = session.drawSeed()
        frame.record("seed", Expr(.number(Double(drawn), isInteger: true), at: frame.location))
        return drawn
    }

    static func fit(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let spec = try Convert.generatorSpec(frame.value("generator")!, session: session, at: frame.location(of: "generator"))
        let table = try Convert.table(frame.value("table")!, at: frame.location(of: "table"))
        let inProcess = try session.runsInProcess(frame)
        let rules = try keepRules(frame) ?? []
        let learn = try learnsRules(frame)
        do { try ConditionalSampling.check(rules, columns: table.table.columnNames, option: "keep", dependencies: true) } catch {
            throw ShellError(error.description, at: frame.location(of: "keep"))
        }
        let seed = try seed(session, &frame)
        let doing = "fitting \(spec.label) on \(table.name)"
        session.io.progress?(doing)
        defer { session.io.progress?(nil) }
        do {
            let home: FittedModel.Home
            if inProcess {
                let host = session.host(seed: seed)
                // The plugin's progress (each epoch's losses) on the progress line, as a worker's is.
                host.progress = session.modelOptions(doing).hostProgress()
                let generator = try PluginInstance(spec.generator.plugin, parameters: spec.generator.parameters, host: host)
                let privacy = try spec.privacy.map { config in try PluginInstance(config.plugin, parameters: config.parameters, host: host) }
                let generatorSession = try GeneratorSession(generator: generator, privacy: privacy)
                try generatorSession.fit(table.table, host: host, keep: rules, learn: learn)
                home = .inProcess(generatorSession, host)
            } else {
                home = .worker(try ModelWorker.fit(generator: PluginSpec(spec.generator.id, spec.generator.parameters),
                                                   privacy: spec.privacy.map { PluginSpec($0.id, $0.parameters) },
                                                   table: table.table, seed: seed, keep: rules, learn: learn, options: session.modelOptions(doing)))
            }
            try session.checkCancelled()
            return .model(FittedModel(spec: spec, home: home, tableName: table.name, seed: seed, columns: table.table.columnNames,
                                      trainingRows: table.table.rowCount, trainingTable: table.table, rules: rules))
        } catch let error as ShellError {
            throw error
        } catch {
            throw session.failure(error, at: frame.location)
        }
    }

    /// sample(): rows from a fitted model, or from a generator that simulates data.
    static func sample(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let rows = try frame.value("rows").map { v throws(ShellError) in
            try Convert.integer(v, at: frame.location(of: "rows"), minimum: 1, what: "a row count")
        }
        let path = try frame.value("to").map { v throws(ShellError) in
            session.resolve(try Convert.string(v, at: frame.location(of: "to"), what: "a file path"))
        }
        if let path { try session.checkWritable(path, at: frame.location(of: "to")) }
        var result: TableValue
        if case .model(let model) = frame.value("model")! {
            // A model draws with the seed it was fitted with unless given another, so that a
            // recorded session's samples come out the same without a seed written down.
            let seed = try frame.value("seed").map { v throws(ShellError) in try Convert.seed(v, at: frame.location(of: "seed")) } ?? model.seed
            let conditions = try sampleConditions(frame, model: model, session: session)
            let rules = try sampleRules(frame, model: model)
            let count = rows ?? model.trainingRows
            do {
                let doing = "sampling \(counted(count, "row")) from \(model.spec.label)"
                session.io.progress?(doing)
                defer { session.io.progress?(nil) }
                let options = session.modelOptions(doing)
                let table = try ConditionalSampling.sample(rows: count, conditions: conditions, rules: ConditionalSampling.judged(rules), seed: seed) { rows, condition, seed in
                    try model.sample(rows: rows, where: condition, seed: seed, options: options)
                }
                let spent = model.privacySpent
                result = TableValue(name: "synthetic", table: table, path: "sampled from \(model.spec.label)", target: nil,
                                    provenance: Provenance(generator: model.generatorRecord,
                                                           privacy: model.privacyRecord, seed: seed,
                                                           trainingTableSHA256: model.trainingTableSHA256,
                                                           trainingRows: model.trainingRows, rows: table.rowCount,
                                                           epsilon: spent?.epsilon, delta: spent?.delta, conditions: conditions, rules: rules, learned: model.learned))
            } catch {
                throw session.failure(error, at: frame.location)
            }
        } else {
            result = try simulate(session, &frame, rows: rows)
        }
        if let path {
            try session.writeCSV(result.table, to: path, at: frame.location(of: "to"), provenance: result.provenance)
            result.path = path
        }
        return .table(result)
    }

    /// The `where:` of sample(): categories of categorical columns of the model's table, the
    /// first one the generator's own condition (none when `where:` is not given).
    static func sampleConditions(_ frame: CallFrame, model: FittedModel, session: Session) throws(ShellError) -> [ConditionalSampling.Condition] {
        guard let given = frame.value("where") else { return [] }
        let location = frame.location(of: "where")
        guard case .record(let fields) = given, !fields.isEmpty else {
            throw ShellError("where: takes columns and their categories, as in {income: \">50K\"} or {sex: \"Female\", income: \">50K\"}", at: location)
        }
        guard model.spec.generator.plugin.descriptor.samplesConditionally else {
            let able = session.registry.plugins(of: .generator).filter(\.descriptor.samplesConditionally).map(\.id).sorted()
            throw ShellError("'\(model.spec.generator.id)' does not sample conditionally (these do: \(able.joined(separator: ", ")))", at: location)
        }
        var conditions: [ConditionalSampling.Condition] = []
        for field in fields {
            guard model.columns.contains(field.key) else {
                throw ShellError("where: no column '\(field.key)'" + Suggest.hint(field.key, among: model.columns), at: location)
            }
            switch field.value {
            case .string(let text): conditions.append((field.key, text))
            case .bool(let flag): conditions.append((field.key, flag ? "true" : "false"))
            // A value of an integer column ({children: 2}), as its text.
            case .number(let number, isInteger: true) where Swift.abs(number) < 9e15: conditions.append((field.key, String(Int64(number))))
            case let other:
                throw ShellError("where: a condition is a category of a categorical or boolean column, written as a string or true/false, "
                                 + "as in {income: \">50K\"}, or a value of an integer column ({children: 2}); got \(other.typeName) for \(field.key)",
                                 at: location)
            }
        }
        return conditions
    }

    /// The `keep:` of sample(): inequalities between the model's columns, read and checked
    /// before any row is drawn (none when `keep:` is not given).
    static func sampleRules(_ frame: CallFrame, model: FittedModel) throws(ShellError) -> [ConstraintRule] {
        guard let given = try keepRules(frame) else { return model.rules }
        // A rule the model keeps already (a dependency it learned, say) is not asked again.
        let rules = ConditionalSampling.notKept(given, by: model.rules)
        do { try ConditionalSampling.check(rules, columns: model.columns, option: "keep") } catch {
            throw ShellError(error.description, at: frame.location(of: "keep"))
        }
        return model.rules + rules
    }

    /// The `learn:` of fit() and experiment(): whether the generator learns the rules of `keep:`
    /// (true unless given false; given without `keep:`, refused).
    static func learnsRules(_ frame: CallFrame) throws(ShellError) -> Bool {
        guard let given = frame.value("learn") else { return true }
        let learn = try Convert.bool(given, at: frame.location(of: "learn"))
        guard frame.value("keep") != nil else { throw ShellError("learn: goes with keep: RULES, the rules to learn", at: frame.location(of: "learn")) }
        return learn
    }

    /// The rules a call's `keep:` gives (sample, experiment, select), read; nil without `keep:`.
    static func keepRules(_ frame: CallFrame) throws(ShellError) -> [ConstraintRule]? {
        guard let given = frame.value("keep") else { return nil }
        return try rules(given, at: frame.location(of: "keep"))
    }

    /// Rules written in a string, read (at least one).
    static func rules(_ given: Value, at location: SourceLocation, what: String = "keep") throws(ShellError) -> [ConstraintRule] {
        let text = try Convert.string(given, at: location, what: "rules, as in \"dropoff >= pickup\"")
        let rules: [ConstraintRule]
        do { rules = try ConstraintRule.parse(text) } catch { throw ShellError("\(what): " + error.description, at: location) }
        guard !rules.isEmpty else { throw ShellError("\(what): no rule given", at: location) }
        return rules
    }

    /// sample() of a generator that needs no training table.
    static func simulate(_ session: Session, _ frame: inout CallFrame, rows: Int?) throws(ShellError) -> TableValue {
        let given = frame.value("model")!
        let spec: GeneratorSpec
        do { spec = try Convert.generatorSpec(given, session: session, at: frame.location(of: "model")) } catch {
            throw ShellError("sample() takes a fitted model (from fit()) or a simulating generator, got \(given.typeName)", at: frame.location(of: "model"))
        }
        guard spec.generator.plugin.descriptor.simulates else {
            throw ShellError("'\(spec.generator.id)' learns from a table: fit it first, m = fit(\(spec.generator.id)(...), TABLE), then sample(m)",
                             at: frame.location(of: "model"))
        }
        guard let rows else {
            throw ShellError("sample() of a simulator needs rows:, as in sample(\(spec.generator.id)(), rows: 1000)", at: frame.location)
        }
        if frame.has("where") {
            throw ShellError("where: applies to a fitted model; '\(spec.generator.id)' simulates its own table", at: frame.location(of: "where"))
        }
        let seed = try seed(session, &frame)
        let inProcess = try session.runsInProcess(frame)
        let doing = "simulating \(counted(rows, "row")) with \(spec.label)"
        session.io.progress?(doing)
        defer { session.io.progress?(nil) }
        do {
            let table: Table, record: Provenance.Plugin
            if inProcess {
                let host = session.host(seed: seed)
                let generator = try PluginInstance(spec.generator.plugin, parameters: spec.generator.parameters, host: host)
                table = try GeneratorSession(generator: generator, privacy: nil).sample(rows: rows, host: host)
                record = Provenance.Plugin(generator)
            } else {
                (table, record) = try ModelWorker.simulate(generator: PluginSpec(spec.generator.id, spec.generator.parameters), rows: rows,
                                                           seed: seed, options: session.modelOptions(doing))
            }
            return TableValue(name: spec.generator.id, table: table, path: "simulated by \(spec.label)",
                              target: table.column(named: "label") != nil ? "label" : nil,
                              provenance: Provenance(generator: record, privacy: nil, seed: seed, trainingTableSHA256: nil,
                                                     trainingRows: nil, rows: table.rowCount, epsilon: nil, delta: nil, conditions: []))
        } catch {
            throw session.failure(error, at: frame.location)
        }
    }

    static func validate(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let real = try Convert.table(frame.value("real")!, at: frame.location(of: "real"))
        let synthetic = try aligned(try Convert.table(frame.value("synthetic")!, at: frame.location(of: "synthetic")), to: real,
                                    at: frame.location(of: "synthetic"))
        let holdout = try frame.value("holdout").map { v throws(ShellError) in
            if case .number = v {
                // experiment()'s holdout: is a share; validate() compares tables already split.
                let name = real.name
                throw ShellError("holdout: takes a table of real rows held out of training, as holdout(\(name), 0.2, seed: 1) makes "
                                 + "(fit the model on training(\(name), 0.2, seed: 1)); a share of rows is experiment()'s holdout:, not validate()'s",
                                 at: frame.location(of: "holdout"))
            }
            return try aligned(try Convert.table(v, at: frame.location(of: "holdout")), to: real, at: frame.location(of: "holdout"))
        }
        if let made = real.provenance, made.trainingRows != nil, synthetic.provenance == nil {
            // Rows sampled from a model passed as the real table, beside rows no model made: the
            // two are most likely swapped, which would score the real rows as the synthetic ones.
            session.io.diagnostic("[warning] validate: the real table, \(real.name), holds rows sampled from \(made.generator.id), and the synthetic one, "
                                  + "\(synthetic.name), does not; validate takes the real table first: validate(\(synthetic.name), \(real.name))\n")
        }
        // Hashing the real table only when the row counts cannot tell: most other tables differ in them.
        if let made = synthetic.provenance, let hash = made.trainingTableSHA256,
           made.trainingRows.map({ $0 != real.table.rowCount }) ?? false || hash != Provenance.hash(real.table) {
            // Sampled from a model of other rows: what the validators read as the rows it learned are not.
            let rows = made.trainingRows.map { "a table of \(counted($0, "row")); \(real.name) has \(real.table.rowCount)" } ?? "another table"
            session.io.diagnostic("[warning] validate: \(synthetic.name) was sampled from a model fitted on other rows than \(real.name)'s (\(rows)); "
                                  + "the validators take \(real.name) for the rows the model learned"
                                  + (holdout == nil ? "" : ", and the holdout for rows it did not")
                                  + ": validate against the table the model was fitted on\n")
        }
        if let holdout { warnOfOverlap(session, real: real, holdout: holdout) }
        let validators = try ExperimentRunner.validators(frame, session: session, target: real.target != nil, holdout: holdout != nil,
                                                         holdoutHint: "give holdout:, a table of real rows the model was not fitted on, as holdout(\(real.name), 0.2, seed: 1) makes (fit on training(\(real.name), 0.2, seed: 1))")
        let seed = try seed(session, &frame)
        let host = session.host(seed: seed)
        let inProcess = try session.runsInProcess(frame)
        var metrics: [MetricResult] = []
        do {
            if inProcess {
                for config in validators {
                    let instance = try PluginInstance(config.plugin, parameters: config.parameters, host: host)
                    metrics += try Validating.run(instance, real: real.table, synthetic: synthetic.table, holdout: holdout?.table,
                                                  target: real.target, host: host)
                }
            } else {
                let outcome = try ValidationWorker.run(
                    real: real.table, synthetic: synthetic.table, holdout: holdout?.table, target: real.target,
                    validators: validators.map { PluginSpec($0.id, $0.parameters) }, seed: seed,
                    executable: session.workerExecutable!,
                    environment: ["SYNTHLAB_PLUGIN_PATH": session.registry.searchPath.joined(separator: ":")],
                    cancelled: session.cancellationRequested)
                for line in outcome.log { host.log(LogLevel(rawValue: line.level) ?? .info, line.message) }
                metrics = outcome.results
            }
        } catch {
            throw session.failure(error, at: frame.location)
        }
        return .results(ExperimentResults(trials: [TrialResult(table: real.name, generator: synthetic.name, seed: seed, epsilon: nil,
                                                               delta: nil, metrics: metrics, fitSeconds: 0, sampleSeconds: 0)]))
    }

    /// Warns when the holdout is not held out (RowOverlap.suspicious): a validator that reads its
    /// rows as rows the model never saw would be misled.
    static func warnOfOverlap(_ session: Session, real: TableValue, holdout: TableValue) {
        guard let overlap = RowOverlap.suspicious(holdout: holdout.table, real: real.table) else { return }
        session.io.diagnostic("[warning] validate: \(overlap.shared) of the holdout's \(overlap.rows) rows (\(overlap.percent) %) are rows of the real table, "
                              + "\(real.name), too; held-out rows should be rows the model was not fitted on: split a table with "
                              + "training(TABLE, 0.2, seed: 1) and holdout(TABLE, 0.2, seed: 1), one share and one seed\n")
    }

    /// `other` with the columns of `real` in `real`'s order, to be compared with it column by
    /// column; refused, naming the columns, when it lacks some, has others, or has one of another kind.
    static func aligned(_ other: TableValue, to real: TableValue, at location: SourceLocation) throws(ShellError) -> TableValue {
        let names = real.table.columnNames
        if other.table.columnNames == names, other.table.kinds == real.table.kinds { return other }
        if let difference = Validation.columnDifference(other.table.columnNames, named: other.name, from: names, named: real.name) {
            throw ShellError(difference, at: location)
        }
        var columns: [Column] = []
        for column in real.table.columns {
            let mine = other.table.column(named: column.name)!
            guard mine.kind == column.kind else {
                throw ShellError("column '\(column.name)' is \(mine.kind.rawValue) in \(other.name) and \(column.kind.rawValue) in \(real.name); load one with kinds: {\(column.name): \"\(column.kind.rawValue)\"}",
                                 at: location)
            }
            columns.append(mine)
        }
        var reordered = other
        reordered.table = try! Table(columns: columns) // the same columns, in another order
        return reordered
    }

    static func export(_ session: Session, _ frame: inout CallFrame) throws(ShellError) -> Value {
        let path = session.resolve(try Convert.string(frame.value("path")!, at: frame.location(of: "path"), what: "a file path"))
        let mode: OutputMode
        if let format = frame.value("format") {
            let text = try Convert.string(format, at: frame.location(of: "format"))
            guard let chosen = OutputMode(rawValue: text) else {
                let names = OutputMode.allCases.map(\.rawValue)
                throw ShellError("no format '\(text)'" + Suggest.hint(text, among: names) + " (formats: \(names.joined(separator: ", ")))", at: frame.location(of: "format"))
            }
            mode = chosen
        } else {
            guard let chosen = OutputMode.forPath(path) else {
                throw ShellError("cannot tell the format from the extension of \(path): use .md, .csv, .json, .tex, .html or .txt (each may end in .gz), or give format:", at: frame.location(of: "path"))
            }
            mode = chosen
        }
        let text: String?
        switch frame.value("value")! {
        case .results(let results): text = mode == .html ? Report.html(results) : Views.summary(results).render(mode)
        case .view(let view): text = view.render(mode)
        case .table(let table): text = mode == .csv ? nil : Views.rows(table).render(mode)
        case let other: throw ShellError("export() writes results, a result table or a table, not \(other.typeName)", at: frame.location(of: "value"))
        }
        do {
            if let text {
                try AtomicFile.write(text: text, to: path)
            } else if case .table(let table) = frame.value("value")! {
                // A table as CSV goes out in pieces, never whole in memory.
                try AtomicFile.write(to: path) { try CSVWriter.chunks(table.table, $0) }
            }
            if case .table(let table) = frame.value("value")!, let provenance = table.provenance { try provenance.write(beside: path) }
        } catch {
            throw ShellError.writeFailure(path, error, at: frame.location(of: "path"))
        }
        return .nothing
    }
}

extension Session {
    /// Host services for one run: the seed, plugin log lines as diagnostics, Ctrl-C as cancellation.
    func host(seed: UInt64) -> HostServices {
        let services = HostServices(seed: seed, log: { [io] level, message in
            if level.rawValue >= LogLevel.warning.rawValue { io.diagnostic("[\(level)] \(message)\n") }
        })
        services.cancellationCheck = cancellationRequested
        return services
    }

    /// Whether `fit`, `load_model` or `validate` runs its plugins in this process: `executor:` if
    /// given, else the session's default executor ("inprocess", or anything else for a worker).
    func runsInProcess(_ frame: CallFrame) throws(ShellError) -> Bool {
        guard let executor = frame.value("executor") else { return defaultExecutor == "inprocess" || workerExecutable == nil }
        let name = try Convert.string(executor, at: frame.location(of: "executor"))
        let names = ["workers", "inprocess"]
        guard names.contains(name) else {
            throw ShellError("no executor '\(name)' for \(frame.builtin.name)" + Suggest.hint(name, among: names) + " (executors: \(names.joined(separator: ", ")))",
                             at: frame.location(of: "executor"))
        }
        return name == "inprocess" || workerExecutable == nil
    }

    /// How a model worker reports to this session while it works on `doing`: its plugins' progress
    /// (each epoch's losses) after `doing`, their warnings and errors as diagnostics.
    func modelOptions(_ doing: String) -> ModelWorker.Options {
        ModelWorker.Options(
            executable: workerExecutable ?? "", environment: ["SYNTHLAB_PLUGIN_PATH": registry.searchPath.joined(separator: ":")],
            cancelled: cancellationRequested,
            progress: { [io] line in io.progress?(line.map { "\(doing) · \($0)" } ?? doing) },
            log: { [io] level, message in
                if level.rawValue >= LogLevel.warning.rawValue { io.diagnostic("[\(level)] \(message)\n") }
            })
    }

    func checkCancelled() throws(ShellError) {
        if cancellationRequested() { throw ShellError("cancelled") }
    }

    /// An error from the runtime as a shell error; a cancellation reads "cancelled".
    func failure(_ error: Error, at location: SourceLocation) -> ShellError {
        if cancellationRequested() { return ShellError("cancelled (Ctrl-C); every binding is kept") }
        return ShellError(String(describing: error), at: location)
    }

    /// Writes a table as CSV, atomically, and the record of how it was made beside it when it has
    /// one; a failure points at `location`.
    func writeCSV(_ table: Table, to path: String, at location: SourceLocation, provenance: Provenance? = nil) throws(ShellError) {
        do {
            try CSVWriter.write(table, to: path)
            try provenance?.write(beside: path)
        } catch {
            throw ShellError.writeFailure(path, error, at: location)
        }
    }

    /// `Synthesis.checkWritable` with the place to point at (a shell command leaves it to its line).
    func checkWritable(_ path: String, at location: SourceLocation? = nil) throws(ShellError) {
        do { try Synthesis.checkWritable(path) } catch { throw ShellError(error.description, at: location) }
    }
}
