import ArgumentParser
import Foundation
import SynthKit
import SynthLab
import SynthMath

@main
struct SynthlabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthlab",
        abstract: "Make, compare and validate synthetic tabular data.",
        subcommands: [ReplCommand.self, PluginsCommand.self, DescribeCommand.self, SynthCommand.self, SampleCommand.self, ValidateCommand.self, PrivacyCommand.self,
                      WorkerCommand.self, ValidateWorkerCommand.self, ModelWorkerCommand.self],
        defaultSubcommand: ReplCommand.self)

    /// Pins OpenBLAS to one thread whatever the environment says, then runs the command. With more
    /// threads OpenBLAS splits large products differently and their sums change in the last bits
    /// (ctgan's output on adult differs at 2 threads), so a seed would no longer fix every number.
    /// Parallelism comes from running trials side by side. Freed memory stays in the process
    /// (`Allocator.keepFreedMemory`), so training steps reuse their pages.
    static func main() {
        BLASThreads.count = 1
        // The kernels are pinned now, while this process has one thread: pinning sets a variable
        // of the environment.
        _ = BLASKernels.pinned
        Allocator.keepFreedMemory()
        main(nil)
    }
}

/// Options shared by every command that reads a CSV file.
struct CSVFlags: ParsableArguments {
    @Option(name: .customLong("kind"), help: ArgumentHelp("Force a column's kind: COLUMN=KIND (continuous, integer, categorical, boolean, datetime).", valueName: "COLUMN=KIND"))
    var kinds: [String] = []

    @Option(name: .customLong("missing"), help: ArgumentHelp("A token that marks a missing cell (repeat it; replaces the defaults: empty, NA, N/A, NaN, nan, null, NULL, None, ?).", valueName: "TOKEN"))
    var missingTokens: [String] = []

    @Option(name: .customLong("also-missing"), help: ArgumentHelp("A token that marks a missing cell besides the defaults (or besides --missing); repeat it. --also-missing=-inf for one that starts with '-'.", valueName: "TOKEN"))
    var alsoMissing: [String] = []

    @Flag(name: .customLong("keep-blanks"), help: "Keep blanks around unquoted fields instead of trimming them.")
    var keepBlanks = false

    @Option(name: .customLong("delimiter"), help: ArgumentHelp("The character between fields, or 'tab' (default: found from the file's first lines: comma, tab, semicolon or vertical bar).", valueName: "CHAR"))
    var delimiter: String?

    @Option(name: .customLong("decimal"), help: ArgumentHelp("The decimal mark of numbers: . (the default) or , as in 1,5.", valueName: "MARK"))
    var decimal: String?

    @Option(name: .customLong("dates"), help: ArgumentHelp("How dates are written when not as YYYY-MM-DD: 'MM/DD/YYYY', 'DD.MM.YYYY HH:mm' (YYYY, MM, DD, HH, mm, SS); COLUMN=PATTERN for one column (repeat it).", valueName: "[COLUMN=]PATTERN"))
    var dates: [String] = []

    func options() throws -> CSVOptions {
        var overrides: [String: ColumnKind] = [:]
        for item in kinds {
            guard let equals = item.lastIndex(of: "="),
                  let kind = ColumnKind(rawValue: String(item[item.index(after: equals)...]).lowercased()) else {
                throw CLIError("--kind takes COLUMN=KIND with KIND one of \(ColumnKind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(item)'")
            }
            overrides[String(item[..<equals])] = kind
        }
        var byte: UInt8?
        if let delimiter {
            guard let named = CSVOptions.delimiter(named: delimiter) else {
                throw CLIError("--delimiter takes one character other than a quote or a line end, or 'tab', got '\(delimiter)'")
            }
            byte = named
        }
        var comma = false
        if let decimal {
            guard let named = CSVOptions.decimalComma(named: decimal) else { throw CLIError("--decimal takes . or , got '\(decimal)'") }
            comma = named
        }
        var options = CSVOptions(missingTokens: (missingTokens.isEmpty ? CSVOptions.defaultMissingTokens : Set(missingTokens)).union(alsoMissing),
                                 kindOverrides: overrides, trimWhitespace: !keepBlanks, delimiter: byte, decimalComma: comma)
        for item in dates {
            // COLUMN=PATTERN, or a pattern for every column (a pattern holds no '=').
            let equals = item.lastIndex(of: "=")
            let text = equals.map { String(item[item.index(after: $0)...]) } ?? item
            guard let pattern = DatePattern(text) else {
                throw CLIError("--dates takes a pattern of YYYY, MM, DD (and HH, mm, SS) with the characters between them, as 'MM/DD/YYYY' or 'visit=MM/DD/YYYY', got '\(item)'")
            }
            if let equals {
                options.columnDates[String(item[..<equals])] = pattern
            } else {
                guard options.dates == nil else { throw CLIError("--dates gives one pattern for every column; name the columns of the others: --dates 'visit=MM/DD/YYYY'") }
                options.dates = pattern
            }
        }
        return options
    }
}

struct OutputFlags: ParsableArguments {
    @Flag(help: "Print one JSON document instead of text (schemas in docs/cli.md).")
    var json = false

    @Flag(name: .shortAndLong, help: "Also print the plugins' informational log lines and progress messages (each epoch's losses).")
    var verbose = false

    /// The plugins' host: warnings (and with --verbose, every log line and progress message) on
    /// stderr; without --verbose, a terminal's stderr shows the progress on a status line, after
    /// the time left.
    func host(seed: UInt64) -> HostServices {
        let status = !verbose && isatty(STDERR_FILENO) != 0 ? commandStatusLine : nil
        let clock = ProgressClock()
        return HostServices(seed: seed, log: { level, message in
            if level.rawValue >= LogLevel.warning.rawValue || verbose {
                status?.show(nil)
                FileHandle.standardError.write(Data("[\(level)] \(message)\n".utf8))
            }
        }, progress: { fraction, message in
            if verbose, let message { FileHandle.standardError.write(Data("[progress] \(message)\n".utf8)) }
            if let status, let line = clock.line(fraction, message) { status.show(line) }
        })
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command body; any error becomes one line on stderr and exit status 1.
/// The status line is erased before the message (a command erases it before its report).
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        commandStatusLine.show(nil)
        FileHandle.standardError.write(Data("synthlab: error: \(String(describing: error))\n".utf8))
        throw ExitCode(1)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    print(try JSONOutput.render(value))
}
