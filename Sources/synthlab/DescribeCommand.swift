import Foundation
import ArgumentParser
import SynthKit
import SynthLab

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Read a CSV file and show each column's kind and summary.")

    @Argument(help: "The CSV file.") var file: String
    @OptionGroup var csv: CSVFlags
    @OptionGroup var output: OutputFlags

    func run() throws {
        try reportingErrors {
            let options = try csv.options()
            let table = try CSVReader.read(path: file, options: options)
            let description = TableDescription(file: file, table: table, options: options)
            for note in description.notes { FileHandle.standardError.write(Data("[note] \(note)\n".utf8)) }
            if output.json { return try printJSON(description) }
            let count = description.columns.count
            print("\(file): \(description.rows) row\(description.rows == 1 ? "" : "s"), \(count) column\(count == 1 ? "" : "s")")
            let width = max(6, description.columns.map(\.name.count).max() ?? 0)
            for column in description.columns {
                let name = column.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let kind = column.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                var summary = "missing \(column.missing), distinct \(column.distinct)"
                if let low = column.min, let high = column.max { summary += ", range \(low) … \(high)" }
                if let mean = column.mean {
                    // Three decimals, or six significant digits for a mean that they would hide or overflow.
                    let shown = mean != 0 && (mean.magnitude < 1e-3 || mean.magnitude >= 1e12)
                        ? String(format: "%.6g", mean) : formatDouble((mean * 1000).rounded() / 1000)
                    summary += ", mean \(shown)"
                }
                if let top = column.top { summary += ", top " + top.prefix(3).map { "\($0.value) (\($0.count))" }.joined(separator: ", ") }
                print("  \(name)  \(kind)  \(summary)")
            }
            if !description.rules.isEmpty { print("rules every row keeps: " + description.rules.joined(separator: "; ")) }
        }
    }
}
