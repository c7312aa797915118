import ArgumentParser
import Foundation
import SynthKit
import SynthLab

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth", abstract: "Fit a generator on a CSV file and write synthetic rows.")

    @Option(help: "The generator plugin id.") var generator: String
    @Option(help: "A privacy plugin id to compose with the generator.") var privacy: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A plugin parameter KEY=VALUE (or PLUGIN.KEY=VALUE); repeat it.", valueName: "KEY=VALUE"))
    var parameters: [String] = []
    @Option(help: "The real table (CSV).") var data: String
    @Option(help: "How many rows to make.") var rows: Int
    @Option(help: "The seed every random draw derives from.") var seed: UInt64
    @Option(help: "Where to write the synthetic table (CSV, written atomically).") var out: String
    @Option(name: .customLong("where"), help: ArgumentHelp("Sample given a category, COLUMN=VALUE (generators that sample conditionally); repeat it for several, the rarest first.", valueName: "COLUMN=VALUE"))
    var conditions: [String] = []
    @Option(name: .customLong("keep"), help: ArgumentHelp("Rules every row keeps, as the constraints validator writes them: 'dropoff >= pickup; total >= fare + tip'. The generator learns an inequality as a gap (dropoff − pickup in place of dropoff) and a dependency (zone -> borough) as the training rows' mapping; rows that break an inequality it did not learn are left out.", valueName: "RULES"))
    var rules: String?
    @Flag(name: .customLong("no-learn"), help: "With --keep: learn no rule; only leave out the rows that break an inequality.")
    var noLearn = false
    @Option(name: .customLong("save-model"), help: ArgumentHelp("Also write the fitted model to FILE (generators that save models: ctgan, tvae).", valueName: "FILE"))
    var modelPath: String?
    @OptionGroup var csv: CSVFlags
    @OptionGroup var output: OutputFlags

    func run() throws {
        try reportingErrors {
            var request = SynthesisRequest(generator: generator, privacy: privacy, parameters: parameters, dataPath: data,
                                           csvOptions: try csv.options(), rows: rows, seed: seed, outputPath: out)
            request.conditions = try conditions.map(parseCondition)
            request.rules = try parseRules(rules)
            if noLearn, rules == nil { throw CLIError("--no-learn goes with --keep RULES") }
            request.learn = !noLearn
            request.modelPath = modelPath
            let report = try Synthesis.run(request, registry: PluginRegistry(), host: output.host(seed: seed))
            commandStatusLine.show(nil)
            // Rows written to standard output keep it to themselves; the report goes to stderr.
            let say = Reporter(rowsOn: out)
            if output.json { return try say(JSONOutput.render(report)) }
            say("wrote \(counted(report.rows, "row")) × \(counted(report.columns.count, "column")) to \(report.output)")
            say("generator \(report.generator.id) \(report.generator.version), seed \(report.seed), fit \(String(format: "%.2f", report.fitSeconds)) s, sample \(String(format: "%.2f", report.sampleSeconds)) s")
            if let privacy = report.privacy, let epsilon = report.epsilonSpent {
                say("privacy \(privacy.id) \(privacy.version): spent ε = \(formatDouble(epsilon)), δ = \(formatDouble(report.deltaSpent ?? 0))")
            }
        }
    }
}

/// `--where COLUMN=VALUE` as a pair.
func parseCondition(_ condition: String) throws -> ConditionalSampling.Condition {
    guard let equals = condition.firstIndex(of: "="), equals != condition.startIndex else {
        throw CLIError("--where takes COLUMN=VALUE, got '\(condition)'")
    }
    return (String(condition[..<equals]), String(condition[condition.index(after: equals)...]))
}

/// `--keep RULES` as rules (none without it).
func parseRules(_ text: String?) throws -> [ConstraintRule] {
    guard let text else { return [] }
    do {
        let rules = try ConstraintRule.parse(text)
        guard !rules.isEmpty else { throw CLIError("--keep: no rule given") }
        return rules
    } catch let error as ConstraintError {
        throw CLIError("--keep: " + error.description)
    }
}

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Write synthetic rows from a model file that `synth --save-model` or the REPL's save() wrote.")

    @Option(help: "The model file.") var model: String
    @Option(help: "How many rows to make.") var rows: Int
    @Option(help: "The seed every random draw derives from (default: the seed the model was fitted with, as the REPL's sample() does).")
    var seed: UInt64?
    @Option(help: "Where to write the synthetic table (CSV, written atomically).") var out: String
    @Option(name: .customLong("where"), help: ArgumentHelp("Sample given a category, COLUMN=VALUE; repeat it for several, the rarest first.", valueName: "COLUMN=VALUE"))
    var conditions: [String] = []
    @Option(name: .customLong("keep"), help: ArgumentHelp("Rules every row keeps, besides those the model keeps: 'dropoff >= pickup; total >= fare + tip'.", valueName: "RULES"))
    var rules: String?
    @OptionGroup var output: OutputFlags

    func run() throws {
        try reportingErrors {
            let saved = try SavedModel.read(model)
            let report = try Synthesis.sample(saved, rows: rows, conditions: try conditions.map(parseCondition), rules: try parseRules(rules), outputPath: out,
                                              registry: PluginRegistry(), host: output.host(seed: seed ?? saved.header.seed))
            commandStatusLine.show(nil)
            let say = Reporter(rowsOn: out)
            if output.json { return try say(JSONOutput.render(report)) }
            say("wrote \(counted(report.rows, "row")) × \(counted(report.columns.count, "column")) to \(report.output)")
            say("generator \(report.generator.id) \(report.generator.version), seed \(report.seed), sample \(String(format: "%.2f", report.sampleSeconds)) s")
        }
    }
}

/// Prints a command's report on standard output, or on standard error when the rows went to
/// standard output (`--out /dev/stdout`), so that what a pipe reads is the CSV alone.
struct Reporter {
    let toStandardError: Bool

    init(rowsOn path: String) {
        toStandardError = AtomicFile.Destination(path) == .descriptor(STDOUT_FILENO)
    }

    func callAsFunction(_ line: String) {
        if toStandardError {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } else {
            print(line)
        }
    }
}
