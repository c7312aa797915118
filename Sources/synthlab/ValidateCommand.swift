import ArgumentParser
import Foundation
import SynthKit
import SynthLab

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Compare a synthetic table with the real one.")

    @Option(help: "The real table (CSV).") var real: String
    @Option(help: "The synthetic table (CSV); read with the real table's column kinds.") var synthetic: String
    @Option(help: "A real holdout table the generator never saw (CSV).") var holdout: String?
    @Option(name: .customLong("validator"), help: ArgumentHelp("A validator plugin id; repeat it. Default: every applicable one.", valueName: "ID"))
    var validators: [String] = []
    @Option(help: "The target column, for validators that need one.") var target: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A validator parameter KEY=VALUE (or VALIDATOR.KEY=VALUE); repeat it.", valueName: "KEY=VALUE"))
    var parameters: [String] = []
    @Option(help: "Seed for validators that draw random numbers.") var seed: UInt64 = 0
    @OptionGroup var csv: CSVFlags
    @OptionGroup var output: OutputFlags

    func run() throws {
        try reportingErrors {
            let request = ValidationRequest(realPath: real, syntheticPath: synthetic, holdoutPath: holdout, validators: validators,
                                            target: target, parameters: parameters, csvOptions: try csv.options(), seed: seed)
            let report = try Validation.run(request, registry: PluginRegistry(), host: output.host(seed: seed))
            commandStatusLine.show(nil)
            if output.json {
                try printJSON(report)
            } else {
                printText(report)
            }
            // The others' metrics are out; a failed validator still makes the run fail.
            for failure in report.failed {
                FileHandle.standardError.write(Data("synthlab: validator \(failure.validator) failed: \(failure.error)\n".utf8))
            }
            if !report.failed.isEmpty { throw ExitCode(1) }
        }
    }

    private func printText(_ report: ValidationReport) {
        for validator in report.validators {
            if report.failed.contains(where: { $0.validator == validator }) {
                print("\(validator): failed (the error is on standard error)")
                continue
            }
            print("\(validator):")
            let metrics = report.metrics.filter { $0.validator == validator }
            let width = max(8, metrics.compactMap(\.column).map(\.count).max() ?? 0)
            let nameWidth = metrics.map(\.metric.count).max() ?? 0
            // Column metrics first, then the table-level ones (averages and scores).
            for metric in metrics.filter({ $0.column != nil }) + metrics.filter({ $0.column == nil }) {
                let label = (metric.column ?? "(table)").padding(toLength: width, withPad: " ", startingAt: 0)
                let name = metric.metric.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                var line = "  \(label)  \(name)  \(format(metric))"
                if metric.column == nil, metric.value != nil, let phrase = metric.goal.phrase {
                    line += "  (\(phrase))"
                }
                print(line)
            }
        }
        for skip in report.skipped { print("skipped \(skip.validator): \(skip.reason)") }
    }

    private func format(_ metric: MetricRecord) -> String {
        guard let value = metric.value else { return "n/a (\(metric.notApplicable ?? "no value"))" }
        return Swift.abs(value) >= 1e5 || (value != 0 && Swift.abs(value) < 1e-3) ? String(format: "%.4g", value) : String(format: "%.4f", value)
    }
}
