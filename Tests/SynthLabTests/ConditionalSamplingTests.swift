import Foundation
import Testing
import SynthKit
import SynthLab
import SynthMath

@Suite("Sampling given several categories")
struct ConditionalSamplingTests {
    /// A stand-in generator: each draw's rows depend only on its seed, column `a` is the category
    /// asked for, `b` cycles through x, y, z from a seeded start, `n` counts the rows drawn.
    final class Draws {
        var calls: [(rows: Int, condition: String?, seed: UInt64)] = []
        var drawn = 0

        func draw(_ rows: Int, _ condition: ConditionalSampling.Condition?, _ seed: UInt64) throws -> Table {
            calls.append((rows, condition.map { "\($0.column)=\($0.value)" }, seed))
            let start = Int(seed % 3)
            let b = (0..<rows).map { Int32((start + $0) % 3) }
            let n = (0..<rows).map { Int64(drawn + $0) }
            drawn += rows
            return try Table(columns: [
                Column(name: "a", values: .categorical(codes: [Int32](repeating: 0, count: rows), levels: [condition?.value ?? "free"])),
                Column(name: "b", values: .categorical(codes: b, levels: ["x", "y", "z"])),
                Column(name: "n", values: .integer(n)),
            ])
        }
    }

    @Test func keepsTheRowsThatMeetTheOtherConditionsInOrder() throws {
        let draws = Draws()
        let table = try ConditionalSampling.sample(rows: 700, conditions: [("a", "p"), ("b", "y")], seed: 9, draw: draws.draw)
        #expect(table.rowCount == 700)
        #expect((0..<700).allSatisfy { table.column(named: "a")!.text(at: $0) == "p" && table.column(named: "b")!.text(at: $0) == "y" })
        // Every draw is under the first condition, of at least 500 rows; the first has the seed
        // given, the later ones seeds derived from it, each different.
        #expect(draws.calls.allSatisfy { $0.condition == "a=p" && $0.rows == 700 })
        #expect(draws.calls.count == 3 && draws.calls[0].seed == 9 && Set(draws.calls.map(\.seed)).count == 3)
        // The rows kept come in the order they were drawn.
        let n = (0..<700).map { Int(table.column(named: "n")!.text(at: $0)!)! }
        #expect(n == n.sorted())
        // The same call gives the same rows.
        #expect(try ConditionalSampling.sample(rows: 700, conditions: [("a", "p"), ("b", "y")], seed: 9, draw: Draws().draw) == table)
        #expect(try ConditionalSampling.sample(rows: 700, conditions: [("a", "p"), ("b", "y")], seed: 10, draw: Draws().draw) != table)
        // A small request still draws batches of 500.
        let small = Draws()
        #expect(try ConditionalSampling.sample(rows: 5, conditions: [("a", "p"), ("b", "z")], seed: 1, draw: small.draw).rowCount == 5)
        #expect(small.calls.map(\.rows) == [500])
    }

    @Test func noneOrOneConditionIsOneDraw() throws {
        let draws = Draws()
        _ = try ConditionalSampling.sample(rows: 7, conditions: [], seed: 4, draw: draws.draw)
        _ = try ConditionalSampling.sample(rows: 7, conditions: [("a", "q")], seed: 4, draw: draws.draw)
        #expect(draws.calls.map(\.rows) == [7, 7] && draws.calls.map(\.condition) == [nil, "a=q"] && draws.calls.map(\.seed) == [4, 4])
    }

    @Test func aConditionNoRowMeetsIsNamedWithWhatTheRowsHeld() throws {
        let draws = Draws()
        let error = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("a", "p"), ("b", "unseen")], seed: 1, draw: draws.draw)
        }
        #expect(draws.calls.count == ConditionalSampling.rounds)
        #expect(String(describing: try #require(error)).contains(
            "made only 0 of 10 rows with a = p and b = unseen in 50000 rows drawn given a = p; none of them had b = unseen (they had x, y, z). Put the rarest condition first"), Comment(rawValue: String(describing: error)))
        let typo = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("a", "p"), ("b", "yy")], seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(typo)).contains("none of them had b = yy (did you mean `y`?)"))
        let number = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("a", "p"), ("n", "3")], seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(number)).contains("where: column 'n' is integer, not categorical or boolean"))
        let twice = #expect(throws: SynthLabError.self) {
            try ConditionalSampling.sample(rows: 10, conditions: [("b", "x"), ("b", "y")], seed: 1, draw: Draws().draw)
        }
        #expect(String(describing: try #require(twice)).contains("where: b has two conditions"))
    }

    /// At the prompt and from the command line, with a real generator: every row meets both
    /// conditions, the same call gives the same rows, and the provenance records both.
    @Test func aModelSamplesGivenTwoCategories() throws {
        let shell = try CapturedSession()
        let folder = Support.temporaryFolder()
        #expect(shell.type(#"adult = load("\#(Support.data("adult.csv"))", target: "income")"#))
        #expect(shell.type("m = fit(bayesian_network(), adult, seed: 1)"), Comment(rawValue: shell.errors))
        #expect(shell.type(#"s = sample(m, rows: 400, where: {sex: "Female", income: ">50K"}, to: "\#(folder)/rich-women.csv")"#), Comment(rawValue: shell.errors))
        let table = try CSVReader.read(path: folder + "/rich-women.csv")
        #expect(table.rowCount == 400)
        #expect((0..<400).allSatisfy { table.column(named: "sex")!.text(at: $0) == "Female" && table.column(named: "income")!.text(at: $0) == ">50K" })
        let provenance = try String(contentsOfFile: folder + "/rich-women.csv.provenance.json", encoding: .utf8)
        #expect(provenance.contains(#""condition" : "sex=Female, income=>50K""#) || provenance.contains(#""condition":"sex=Female, income=>50K""#), Comment(rawValue: provenance))
        #expect(shell.result(#"head(sample(m, rows: 400, where: {sex: "Female", income: ">50K"}), rows: 30)"#)
                == shell.result("head(s, rows: 30)"))
        #expect(shell.result(#"sample(m, rows: 5, where: {sex: "Female", sex: "Male"})"#).contains("is given twice"))
        #expect(shell.result(#"sample(m, rows: 5, where: {income: ">50K", sex: "Femal"})"#).contains("none of them had sex = Femal (did you mean `Female`?)"))
        // synthlab sample takes --where twice.
        #expect(shell.type(#"save(m, "\#(folder)/bn.model")"#), Comment(rawValue: shell.errors))
        let run = try Support.synthlab(["sample", "--model", folder + "/bn.model", "--rows", "200", "--out", folder + "/cli.csv",
                                        "--where", "sex=Female", "--where", "income=>50K"], pluginPath: try Support.pluginFolder())
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let cli = try CSVReader.read(path: folder + "/cli.csv")
        #expect(cli.rowCount == 200 && (0..<200).allSatisfy { cli.column(named: "sex")!.text(at: $0) == "Female" && cli.column(named: "income")!.text(at: $0) == ">50K" })
    }
}
