import Foundation
import Testing
@testable import SynthShell
import SynthKit
@testable import SynthLab

@Suite("Result tables: means with their spread, and folding to the screen")
struct ResultTableTests {
    /// A summary-like table: two text columns, then many estimates, the best of some marked.
    func wideTable() -> ResultTable {
        let metrics = (1...12).map { "metric_number_\($0)" }
        var rows: [[ResultTable.Cell]] = []
        for row in 0..<3 {
            var cells: [ResultTable.Cell] = [.text("adult"), .text("generator \(row)"), .integer(3)]
            for index in metrics.indices {
                let mean = Double(row * 100 + index) / 1000
                let sd: Double? = index == 5 ? nil : 0.01 * Double(row + 1)
                cells.append(.estimate(mean, sd: sd, digits: 4))
            }
            rows.append(cells)
        }
        var table = ResultTable(columns: ["table", "generator", "seeds"] + metrics, rows: rows)
        table.emphasized = [ResultTable.Position(row: 1, column: 3), ResultTable.Position(row: 2, column: 14)]
        return table
    }

    @Test func aWideTableFoldsIntoBlocksThatFitTheScreen() throws {
        let table = wideTable()
        let whole = table.render(.table)
        #expect(whole.split(separator: "\n").allSatisfy { $0.count > 100 })
        #expect(table.render(.table, width: 10_000) == whole)
        for width in [60, 100, 140] {
            let folded = table.render(.table, width: width)
            let lines = folded.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.allSatisfy { $0.count <= width }, "\(width): \(folded)")
            // Every block is a boxed table led by the text columns; every cell shows once.
            let headers = lines.filter { $0.hasPrefix("| table") }
            #expect(headers.count > 1 && headers.allSatisfy { $0.hasPrefix("| table | generator   |") }, Comment(rawValue: folded))
            let cells = lines.filter { $0.hasPrefix("| adult") }.flatMap { line in
                line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.dropFirst(2)
            }
            let expected = table.render(.table).split(separator: "\n").filter { $0.hasPrefix("| adult") }.flatMap { line in
                line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.dropFirst(2)
            }
            #expect(Set(cells) == Set(expected) && cells.count == expected.count, Comment(rawValue: folded))
            // The marks of the best means stay on their cells.
            #expect(folded.contains("0.1000* ± 0.0200") && folded.contains("0.2110* ± 0.0300"), Comment(rawValue: folded))
        }
        // A screen narrower than the text columns and a metric beside them shows each column in
        // a block of its own: 15 blocks of three rules each.
        let narrow = table.render(.table, width: 20)
        #expect(narrow.split(separator: "\n").filter { $0.hasPrefix("+") }.count == 15 * 3, Comment(rawValue: narrow))
    }

    /// A table made wide by a column of text (a plugin's help) wraps that text to the screen,
    /// between words, instead of cutting the table into blocks.
    @Test func wideTextWrapsToTheScreen() throws {
        let help = "Rows the discriminator judges together (PacGAN); composed with dp_sgd it is 1, so that each example is one row."
        let table = ResultTable(columns: ["parameter", "type", "help"], rows: [
            [.text("pac"), .text("int"), .text(help)],
            [.text("epochs"), .text("int"), .text("Passes over the training rows.")],
            [.text("long"), .text("string"), .text("a_word_longer_than_any_line_can_hold_is_cut_into_pieces_of_the_line's_width ok")],
        ])
        let wrapped = table.render(.table, width: 60)
        let lines = wrapped.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 60 }, Comment(rawValue: wrapped))
        #expect(lines.filter { $0.hasPrefix("| parameter") }.count == 1, "one block")
        // Every word is there, in order, and each physical line is as wide as the others.
        let helpCells = lines.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| parameter") }.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.last! }
        #expect(helpCells.joined(separator: " ").replacingOccurrences(of: "  ", with: " ").contains("Rows the discriminator judges together (PacGAN); composed with dp_sgd it is 1, so that each example is one row."))
        #expect(Set(lines.map(\.count)).count == 1)
        #expect(ResultTable.wrap("aaaa bb cc", 5) == ["aaaa", "bb cc"])
        #expect(ResultTable.wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"])
        #expect(ResultTable.wrap("short", 10) == ["short"])
        // Narrower still, the text keeps at least 12 characters a line.
        #expect(table.render(.table, width: 40).split(separator: "\n").allSatisfy { $0.count <= 40 })
        #expect(table.render(.table, width: 30).split(separator: "\n").contains { $0.hasPrefix("| pac       | int    | Rows the     |") })
    }

    @Test func anEstimateIsOneCellForPeopleAndTwoColumnsForPrograms() throws {
        let table = wideTable()
        #expect(table.render(.table).contains(" 0.0000 ± 0.0100 |"))
        // A mean over one seed shows alone.
        #expect(table.render(.table).contains(" 0.0050 |"))
        let csv = table.render(.csv).split(separator: "\n")
        #expect(csv[0].hasPrefix("table,generator,seeds,metric_number_1,metric_number_1 sd,metric_number_2,"))
        #expect(csv[1].hasPrefix("adult,generator 0,3,0.0,0.01,0.001,0.01,"))
        // A mean over one seed has no sd: its sd column is empty.
        #expect(csv[1].contains(",0.005,,0.006,"))
        #expect(table.render(.markdown).contains("**0.1000** ± 0.0200"))
        #expect(table.render(.latex).contains("\\textbf{0.1000} $\\pm$ 0.0200"))
        #expect(table.render(.html).contains("<strong>0.1000</strong> ± 0.0200</td>"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(table.render(.json).utf8)) as? [[String: Any]])
        #expect(json[2]["metric_number_12"] as? Double == 0.211 && json[2]["metric_number_12 sd"] as? Double == 0.03)
        #expect(json[0]["metric_number_6 sd"] is NSNull)
    }

    /// A number its decimals would show as zero, or show with more than fifteen digits, is shown
    /// in scientific notation; zero, and every other number, with its decimals.
    @Test func numbersBeyondTheirDecimalsAreShownInScientificNotation() {
        let table = ResultTable(columns: ["value"], rows: [
            [.number(8.48937e307, digits: 4)], [.number(5.5406e-300, digits: 4)], [.number(0.00004, digits: 4)],
            [.number(0, digits: 4)], [.number(-0.00006, digits: 4)], [.number(123456.5, digits: 4)], [.number(-2e15, digits: 2)],
        ])
        let shown = table.rows.map { $0[0].shown }
        #expect(shown == ["8.4894e+307", "5.5406e-300", "4.0000e-05", "0.0000", "-0.0001", "123456.5000", "-2.00e+15"])
        // Programs get every digit, as before.
        #expect(table.rows[1][0].exact == "5.5406e-300")
        // An estimate's small mean and spread keep their decimals; a huge one does not.
        #expect(ResultTable.Cell.estimate(0.00003, sd: 0.00001, digits: 4).shown == "0.0000 ± 0.0000")
        #expect(ResultTable.Cell.estimate(3e20, sd: 1e19, digits: 2).shown == "3.00e+20 ± 1.00e+19")
    }

    /// A metric whose best is a value ranks by the distance from it: an attack's AUC of 0.53 is
    /// better than one of 0.42, and both than 0.30, which lowering alone would call the best.
    @Test func aNearestGoalRanksByTheDistanceFromItsTarget() throws {
        func trial(_ generator: String, _ seed: UInt64, auc: Double, quality: Double) -> TrialResult {
            TrialResult(table: "adult", generator: generator, seed: seed, epsilon: nil, delta: nil, metrics: [
                MetricResult(validator: "privacy_risk", metric: Metric(name: "mia_auc", value: auc, goal: .nearest(0.5), range: 0...1)),
                MetricResult(validator: "quality", metric: Metric(name: "quality", value: quality, goal: .maximize, range: 0...1)),
            ], fitSeconds: 1, sampleSeconds: 0)
        }
        let results = ExperimentResults(trials: [
            trial("low", 1, auc: 0.29, quality: 0.9), trial("low", 2, auc: 0.31, quality: 0.9),
            trial("under", 1, auc: 0.42, quality: 0.8), trial("under", 2, auc: 0.42, quality: 0.8),
            trial("over", 1, auc: 0.53, quality: 0.7), trial("over", 2, auc: 0.53, quality: 0.7),
        ])
        let summary = Views.summary(results)
        let auc = try #require(summary.columns.firstIndex(of: "mia_auc")), rank = try #require(summary.columns.firstIndex(of: "rank"))
        #expect(summary.emphasized.contains(ResultTable.Position(row: 2, column: auc)))
        #expect(!summary.emphasized.contains(ResultTable.Position(row: 0, column: auc)))
        // Each row's mean rank over mia_auc and quality: low (3 + 1) / 2, under (2 + 2) / 2, over (1 + 3) / 2.
        #expect(summary.rows.map { $0[rank] } == [.number(2, digits: 2), .number(2, digits: 2), .number(2, digits: 2)])
        #expect(MetricGoal.nearest(0.5).phrase == "nearer 0.5 is better")
        #expect(MetricGoal(name: "nearest", target: 0.5) == .nearest(0.5) && MetricGoal(name: "nearest", target: nil) == nil)
        #expect(MetricGoal(name: "maximize", target: nil) == .maximize && MetricGoal(name: "sideways", target: nil) == nil)
    }
}
